package directory

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func TestCreateAndGet(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		in := CreateInput{
			Email: " Ada@Example.COM ", PhoneNumber: "+447911123456", Username: "Ada",
			SecondaryEmails:       []string{"ADA@work.example", "ada@work.example", "ada@home.example"},
			SecondaryPhoneNumbers: []string{"+14155552671"},
			Birthday:              "1815-12-10",
			Address:               model.Address{City: " London ", Country: "GB", Type: "home"},
			Name:                  model.Name{Title: "Countess", FirstName: "Ada", LastName: "Lovelace"},
			ExternalUserID:        "crm-42",
			CustomData:            json.RawMessage(`{ "plan": "gold", "seats": 3 }`),
			CustomAppData:         json.RawMessage(`{"role":"owner"}`),
			Picture:               "https://cdn.example/ada.png",
			Language:              "en-GB",
		}
		u := e.create(t, e.clientA, in)
		want := model.User{
			ID: u.ID, TenantID: e.tenant, Email: "ada@example.com", PhoneNumber: "+447911123456", Username: "ada",
			SecondaryEmails: []string{"ada@work.example", "ada@home.example"}, SecondaryPhones: []string{"+14155552671"},
			Birthday: "1815-12-10", Address: model.Address{City: "London", Country: "GB", Type: "Home"},
			Name: in.Name, ExternalUserID: "crm-42", CustomData: json.RawMessage(`{"plan":"gold","seats":3}`),
			Picture: in.Picture, Language: "en-GB", Status: model.UserActive, CreatedAt: fixedNow, UpdatedAt: fixedNow,
			StatusChangedAt: &fixedNow, AddressUpdatedAt: &fixedNow,
		}
		if !reflect.DeepEqual(u.User, want) {
			t.Errorf("created user:\n got %+v\nwant %+v", u.User, want)
		}
		if string(u.CustomAppData) != `{"role":"owner"}` {
			t.Errorf("created custom_app_data = %s", u.CustomAppData)
		}
		got, err := e.svc.Get(t.Context(), e.clientA, u.ID)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("Get = %+v, %v; want %+v", got, err, u)
		}
		byAdmin, err := e.svc.Get(t.Context(), e.admin, u.ID)
		if err != nil || !reflect.DeepEqual(byAdmin.User, want) || byAdmin.CustomAppData != nil {
			t.Errorf("Get by admin = %+v, %v; want the profile without application data", byAdmin, err)
		}
		for field, value := range map[string]string{
			storage.UserByEmail: "ADA@example.com", storage.UserByPhone: "+447911123456",
			storage.UserByUsername: "ADA", storage.UserByExternalUserID: " crm-42 ",
		} {
			got, err := e.svc.GetBy(t.Context(), e.clientA, field, value)
			if err != nil || got.ID != u.ID || string(got.CustomAppData) != `{"role":"owner"}` {
				t.Errorf("GetBy %s %q = %+v, %v", field, value, got, err)
			}
		}
		_, err = e.svc.GetBy(t.Context(), e.clientA, storage.UserByEmail, "not-an-email")
		wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "GetBy a malformed email")
		_, err = e.svc.GetBy(t.Context(), e.clientA, "birthday", "1815-12-10")
		wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "GetBy an unknown field")
		_, err = e.svc.GetBy(t.Context(), e.clientA, storage.UserByEmail, "nobody@example.com")
		wantNotFound(t, err, "GetBy a missing email")
		_, err = e.svc.Get(t.Context(), e.clientA, model.NewID())
		wantNotFound(t, err, "Get a missing id")
		_, err = e.svc.Get(t.Context(), e.clientA, "../../etc")
		wantNotFound(t, err, "Get a malformed id")

		found, err := e.svc.FindByIdentifier(t.Context(), e.tenant, model.IdentifierUsername, "Ada")
		if err != nil || found.ID != u.ID {
			t.Errorf("FindByIdentifier username = %+v, %v", found, err)
		}
		found, err = e.svc.FindByIdentifier(t.Context(), e.tenant, model.IdentifierUserID, u.ID)
		if err != nil || found.ID != u.ID {
			t.Errorf("FindByIdentifier user_id = %+v, %v", found, err)
		}
		_, err = e.svc.FindByIdentifier(t.Context(), e.other.TenantID, model.IdentifierEmail, "ada@example.com")
		wantNotFound(t, err, "FindByIdentifier in another tenant")
		_, err = e.svc.FindByIdentifier(t.Context(), e.tenant, model.IdentifierPhone, "07911 123456")
		wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "FindByIdentifier of a malformed phone")
	})
}

func TestCreateMinimal(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.admin, CreateInput{PhoneNumber: "+33612345678", Status: "pending"})
		if u.Status != model.UserPending || u.Email != "" || u.CustomData != nil || u.CustomAppData != nil {
			t.Errorf("minimal user = %+v", u)
		}
		// An admin's user belongs to no application, so no application's client sees it.
		_, err := e.svc.Get(t.Context(), e.clientA, u.ID)
		wantNotFound(t, err, "application client reading an admin-created user")
	})
}

func TestCreateValidation(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		_, err := e.svc.Create(t.Context(), e.clientA, CreateInput{
			Email: "not-an-email", PhoneNumber: "555-1234", Username: "has space",
			SecondaryEmails: []string{"ok@example.com", "bad@"}, Birthday: "1990-13-01",
			Address: model.Address{Type: "Castle"}, Picture: "ftp://example.com/a.png", Language: "english please",
			CustomData: json.RawMessage(`[1,2]`), CustomAppData: json.RawMessage(`"x"`), Status: "Deleted",
			Name:        model.Name{FirstName: strings.Repeat("n", 300)},
			Credentials: &Credentials{Password: "hunter2", PasswordHash: "$2a$10$x"},
		})
		wantProblems(t, err, "create with many problems",
			"email:", "phone_number:", "username:", "secondary_emails[1]", "birthday", "address.type", "picture",
			"language", "custom_data", "custom_app_data", "status", "name.first_name",
			"give one, not both")

		_, err = e.svc.Create(t.Context(), e.clientA, CreateInput{Name: model.Name{FirstName: "Lonely"}, ExternalUserID: "x-1"})
		wantProblems(t, err, "create without email, phone or username", "email, phone_number or username is required")

		_, err = e.svc.Create(t.Context(), e.clientA, CreateInput{Username: "dependent", DelegatedAccess: json.RawMessage(`{"actor_id":"u1","permissions":[]}`)})
		wantProblems(t, err, "create a dependent user", "delegated_access")

		_, err = e.svc.Create(t.Context(), e.admin, CreateInput{Email: "acct@example.com", ExternalAccountID: "acct-1"})
		wantProblems(t, err, "admin create with external_account_id", "external_account_id")

		_, err = e.svc.Create(t.Context(), e.admin, CreateInput{Email: "a@example.com", CustomAppData: json.RawMessage(`{"a":1}`)})
		wantProblems(t, err, "admin create with custom_app_data", "custom_app_data")

		_, err = e.svc.Create(t.Context(), e.clientA, CreateInput{Email: "b@example.com", Birthday: "2999-01-01"})
		wantProblems(t, err, "create with a future birthday", "birthday: must not be in the future")

		list, total, err := e.svc.Search(t.Context(), e.admin, SearchInput{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("users after refused creates: %d (%v), want none", total, err)
		}
	})
}

func TestCreateTakenIdentifiers(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		first := e.create(t, e.admin, CreateInput{Email: "taken@example.com", PhoneNumber: "+14155552671",
			Username: "taken", ExternalUserID: "ext-1"})
		cases := []struct {
			field string
			in    CreateInput
		}{
			// Each input also names a free identifier, so that an application's client is not
			// simply linked to the existing user.
			{"email", CreateInput{Email: "TAKEN@example.com", Username: "fresh"}},
			{"phone_number", CreateInput{Email: "free1@example.com", PhoneNumber: "+14155552671"}},
			{"username", CreateInput{Email: "free2@example.com", Username: "Taken"}},
			{"external_user_id", CreateInput{Email: "free3@example.com", ExternalUserID: "ext-1"}},
		}
		for _, c := range cases {
			for _, caller := range []model.Caller{e.admin, e.clientA} {
				_, err := e.svc.Create(t.Context(), caller, c.in)
				fe := wantFault(t, err, fault.Conflict, fault.CodeUserExists, "create with a taken "+c.field)
				if !strings.Contains(fe.Message, c.field) {
					t.Errorf("conflict on %s says %q", c.field, fe.Message)
				}
			}
		}
		_, err := e.svc.Create(t.Context(), e.admin, CreateInput{Email: "taken@example.com", Username: "taken"})
		fe := wantFault(t, err, fault.Conflict, fault.CodeUserExists, "create with two taken identifiers")
		if !strings.Contains(fe.Message, "email and username") {
			t.Errorf("conflict on two identifiers says %q", fe.Message)
		}
		// The same identifiers in another tenant are free.
		e.create(t, e.other, CreateInput{Email: "taken@example.com", Username: "taken"})
		_, total, _ := e.svc.Search(t.Context(), e.admin, SearchInput{})
		if total != 1 {
			t.Errorf("tenant one has %d users, want only %s", total, first.ID)
		}
	})
}

func TestCreateLinksExistingUser(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		orig := e.create(t, e.clientA, CreateInput{Email: "shared@example.com", Username: "shared",
			Name: model.Name{FirstName: "Sam"}, CustomAppData: json.RawMessage(`{"from":"a"}`)})

		// B names the same user by a subset of their identifiers: B is linked, the profile stays.
		got, err := e.svc.Create(t.Context(), e.clientB, CreateInput{Email: "Shared@example.com",
			Name: model.Name{FirstName: "Other"}, CustomAppData: json.RawMessage(`{"from":"b"}`)})
		if err != nil || got.ID != orig.ID || got.Name.FirstName != "Sam" || string(got.CustomAppData) != `{"from":"b"}` {
			t.Fatalf("create of an existing user by B = %+v, %v; want the existing user linked", got, err)
		}
		inA, _ := e.svc.Get(t.Context(), e.clientA, orig.ID)
		inB, _ := e.svc.Get(t.Context(), e.clientB, orig.ID)
		if string(inA.CustomAppData) != `{"from":"a"}` || string(inB.CustomAppData) != `{"from":"b"}` {
			t.Errorf("application data: A %s, B %s", inA.CustomAppData, inB.CustomAppData)
		}

		// Creating again in an application the user is already in is a conflict.
		_, err = e.svc.Create(t.Context(), e.clientB, CreateInput{Email: "shared@example.com"})
		wantFault(t, err, fault.Conflict, fault.CodeUserExists, "create of a user already in the application")

		// An identifier that does not match the existing user refuses the link.
		if err := e.svc.Delete(t.Context(), e.clientB, orig.ID); err != nil {
			t.Fatalf("remove the user from B: %v", err)
		}
		_, err = e.svc.Create(t.Context(), e.clientB, CreateInput{Email: "shared@example.com", Username: "someone-else"})
		wantFault(t, err, fault.Conflict, fault.CodeUserExists, "create with a matching email and another username")
		other := e.create(t, e.admin, CreateInput{Email: "other@example.com"})
		_, err = e.svc.Create(t.Context(), e.clientB, CreateInput{Email: "other@example.com", Username: "shared"})
		wantFault(t, err, fault.Conflict, fault.CodeUserExists, "create with identifiers of two users")
		_, err = e.svc.Get(t.Context(), e.clientB, orig.ID)
		wantNotFound(t, err, "B reading the user after refused links")
		_, err = e.svc.Get(t.Context(), e.clientB, other.ID)
		wantNotFound(t, err, "B reading the other user after refused links")
	})
}
