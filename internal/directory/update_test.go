package directory

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestUpdateMergeSemantics(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{
			Email: "merge@example.com", PhoneNumber: "+14155552671", Username: "merge",
			Name:     model.Name{Title: "Dr", FirstName: "Grace", LastName: "Hopper"},
			Address:  model.Address{City: "Arlington", Country: "US", Type: "Work"},
			Language: "en", Picture: "https://cdn.example/g.png",
			CustomData:    json.RawMessage(`{"plan":"gold","seats":3,"tags":["a"]}`),
			CustomAppData: json.RawMessage(`{"role":"owner","theme":"dark"}`),
		})
		later := fixedNow.Add(time.Hour)
		e.svc.now = func() time.Time { return later }

		got, err := e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{
			Name:          &model.Name{FirstName: "Amazing"},
			Language:      ptr(""),
			Status:        ptr("disabled"),
			CustomData:    json.RawMessage(`{"seats":5,"plan":null,"new":{"x":1}}`),
			CustomAppData: json.RawMessage(`{"theme":null,"beta":true}`),
		})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		want := u
		want.Name = model.Name{FirstName: "Amazing"} // objects replace wholesale
		want.Language = ""
		want.Status, want.StatusChangedAt = model.UserDisabled, &later
		want.CustomData = json.RawMessage(`{"new":{"x":1},"seats":5,"tags":["a"]}`)
		want.CustomAppData = json.RawMessage(`{"beta":true,"role":"owner"}`)
		want.UpdatedAt = later
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after update:\n got %+v\nwant %+v", got, want)
		}
		read, err := e.svc.Get(t.Context(), e.clientA, u.ID)
		if err != nil || !reflect.DeepEqual(read, want) {
			t.Errorf("read after update:\n got %+v, %v\nwant %+v", read, err, want)
		}

		// Removing every key leaves no data; an empty update changes nothing but the time.
		got, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{
			CustomData: json.RawMessage(`{"new":null,"seats":null,"tags":null}`), CustomAppData: json.RawMessage(`null`),
		})
		if err != nil || got.CustomData != nil || string(got.CustomAppData) != `{"beta":true,"role":"owner"}` ||
			got.Address != want.Address || got.Email != want.Email {
			t.Errorf("update removing every custom key = %+v, %v", got, err)
		}
	})
}

func TestUpdateIdentifiers(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "old@example.com", PhoneNumber: "+14155552671"})
		verified := fixedNow.Add(-time.Hour)
		err := e.store.UpdateUser(t.Context(), e.tenant, u.ID, func(cur model.User) (model.User, error) {
			cur.EmailVerifiedAt, cur.PhoneVerifiedAt = &verified, &verified
			return cur, nil
		})
		if err != nil {
			t.Fatalf("mark verified: %v", err)
		}
		// Restating the same email (in another case) keeps it verified.
		got, err := e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{Email: ptr("OLD@example.com")})
		if err != nil || got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(verified) {
			t.Errorf("update to the same email = %+v, %v; want still verified", got, err)
		}
		got, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{Email: ptr("New@Example.com"), Username: ptr("Neo")})
		if err != nil || got.Email != "new@example.com" || got.EmailVerifiedAt != nil || got.Username != "neo" {
			t.Errorf("update of the email = %+v, %v; want new@example.com, unverified", got, err)
		}
		if got.PhoneVerifiedAt == nil {
			t.Errorf("changing the email unverified the phone number")
		}
		got, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{PhoneNumber: ptr("+447911123456")})
		if err != nil || got.PhoneNumber != "+447911123456" || got.PhoneVerifiedAt != nil {
			t.Errorf("update of the phone = %+v, %v; want unverified", got, err)
		}
		// One of email, phone number and username must remain.
		got, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{PhoneNumber: ptr("")})
		if err != nil || got.PhoneNumber != "" {
			t.Errorf("clearing the phone = %+v, %v", got, err)
		}
		got, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{Email: ptr("")})
		if err != nil || got.Email != "" || got.Username != "neo" {
			t.Errorf("clearing the email of a user with a username = %+v, %v", got, err)
		}
		_, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{Username: ptr("")})
		wantProblems(t, err, "clearing the last identifier", "must keep an email, a phone number or a username")
	})
}

func TestUpdateTakenIdentifiers(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		owner := e.create(t, e.admin, CreateInput{Email: "owner@example.com", PhoneNumber: "+14155552671",
			Username: "owner", ExternalUserID: "ext-owner"})
		u := e.create(t, e.clientA, CreateInput{Email: "u@example.com", Language: "en"})
		cases := map[string]UpdateInput{
			"email":            {Email: ptr("Owner@example.com")},
			"phone_number":     {PhoneNumber: ptr("+14155552671")},
			"username":         {Username: ptr("OWNER")},
			"external_user_id": {ExternalUserID: ptr("ext-owner")},
		}
		for field, in := range cases {
			in.Language = ptr("fr")
			_, err := e.svc.Update(t.Context(), e.clientA, u.ID, in)
			fe := wantFault(t, err, fault.Conflict, fault.CodeUserExists, "update to a taken "+field)
			if !strings.Contains(fe.Message, field) {
				t.Errorf("conflict on %s says %q", field, fe.Message)
			}
		}
		got, _ := e.svc.Get(t.Context(), e.clientA, u.ID)
		if !reflect.DeepEqual(got, u) {
			t.Errorf("user after refused updates:\n got %+v\nwant %+v", got, u)
		}
		o, _ := e.svc.Get(t.Context(), e.admin, owner.ID)
		if !reflect.DeepEqual(o.User, owner.User) {
			t.Errorf("owner changed by refused updates: %+v", o)
		}
		// Taking back one's own identifier is no conflict.
		if _, err := e.svc.Update(t.Context(), e.admin, owner.ID, UpdateInput{Email: ptr("owner@example.com"), Username: ptr("owner")}); err != nil {
			t.Errorf("update keeping one's own identifiers: %v", err)
		}
	})
}

func TestUpdateValidation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "v@example.com"})
		_, err := e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{
			Email: ptr("nope"), Status: ptr(""), Birthday: ptr("yesterday"),
			SecondaryPhoneNumbers: &[]string{"+14155552671", ""}, CustomData: json.RawMessage(`42`),
			Address: &model.Address{Type: "Moon"},
		})
		wantProblems(t, err, "update with many problems",
			"email:", "status", "birthday", "secondary_phone_numbers[1]", "custom_data", "address.type")
		_, err = e.svc.Update(t.Context(), e.admin, u.ID, UpdateInput{CustomAppData: json.RawMessage(`{"a":1}`)})
		wantProblems(t, err, "admin update of custom_app_data", "custom_app_data")
		got, _ := e.svc.Get(t.Context(), e.clientA, u.ID)
		if !reflect.DeepEqual(got, u) {
			t.Errorf("user after refused updates = %+v", got)
		}
	})
}
