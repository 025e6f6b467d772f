package directory

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func TestSecondaryAddressesAreAdded(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "ada@example.com", SecondaryEmails: []string{"one@example.com", "ada@example.com"}})
		if !slices.Equal(u.SecondaryEmails, []string{"one@example.com"}) {
			t.Errorf("secondary emails at creation = %v; want the primary left out", u.SecondaryEmails)
		}
		got, err := e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{
			SecondaryEmails:       &[]string{"Two@example.com", "one@example.com"},
			SecondaryPhoneNumbers: &[]string{"+14155552671"},
		})
		if err != nil || !slices.Equal(got.SecondaryEmails, []string{"one@example.com", "two@example.com"}) ||
			!slices.Equal(got.SecondaryPhones, []string{"+14155552671"}) {
			t.Errorf("update adding secondary values = %v %v, %v", got.SecondaryEmails, got.SecondaryPhones, err)
		}
		many := make([]string, maxSecondary)
		for i := range many {
			many[i] = string(rune('a'+i)) + "@many.example"
		}
		_, err = e.svc.Update(t.Context(), e.clientA, u.ID, UpdateInput{SecondaryEmails: &many})
		wantProblems(t, err, "too many secondary emails", "at most")
	})
}

func TestRemoveSecondary(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "ada@example.com", PhoneNumber: "+14155552671",
			SecondaryEmails: []string{"one@example.com", "two@example.com"}, SecondaryPhoneNumbers: []string{"+447911123456"}})
		ctx := t.Context()
		if err := e.svc.Verify(ctx, e.clientA, u.ID, AddressEmail, "one@example.com", false); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if err := e.svc.RemoveSecondary(ctx, e.clientA, u.ID, AddressEmail, "ONE@example.com"); err != nil {
			t.Fatalf("remove a secondary email: %v", err)
		}
		if err := e.svc.RemoveSecondary(ctx, e.admin, u.ID, AddressPhone, "+447911123456"); err != nil {
			t.Fatalf("remove a secondary phone number: %v", err)
		}
		got, _ := e.svc.Get(ctx, e.clientA, u.ID)
		if !slices.Equal(got.SecondaryEmails, []string{"two@example.com"}) || len(got.SecondaryPhones) != 0 ||
			len(got.SecondaryVerifiedAt) != 0 {
			t.Errorf("after removals: %v %v verified %v", got.SecondaryEmails, got.SecondaryPhones, got.SecondaryVerifiedAt)
		}
		for what, err := range map[string]error{
			"the primary email":     e.svc.RemoveSecondary(ctx, e.clientA, u.ID, AddressEmail, "ada@example.com"),
			"an email it never had": e.svc.RemoveSecondary(ctx, e.clientA, u.ID, AddressEmail, "one@example.com"),
			"the primary phone":     e.svc.RemoveSecondary(ctx, e.clientA, u.ID, AddressPhone, "+14155552671"),
		} {
			wantFault(t, err, fault.NotFound, fault.CodeNotFound, "remove "+what)
		}
		wantProblems(t, e.svc.RemoveSecondary(ctx, e.clientA, u.ID, AddressPhone, "555"), "remove a bad phone number", "phone_number:")
		wantNotFound(t, e.svc.RemoveSecondary(ctx, e.clientB, u.ID, AddressEmail, "two@example.com"), "another application's user")
		wantNotFound(t, e.svc.RemoveSecondary(ctx, e.other, u.ID, AddressEmail, "two@example.com"), "another tenant's user")
	})
}

func TestVerifyAddresses(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "ada@example.com", PhoneNumber: "+14155552671",
			SecondaryEmails: []string{"work@example.com"}, SecondaryPhoneNumbers: []string{"+447911123456"}})
		ctx := t.Context()
		first := fixedNow.Add(time.Minute)
		e.svc.now = func() time.Time { return first }
		for kind, v := range map[string]string{AddressEmail: "ADA@example.com", AddressPhone: "+447911123456"} {
			if err := e.svc.Verify(ctx, e.clientA, u.ID, kind, v, false); err != nil {
				t.Fatalf("verify %s: %v", v, err)
			}
		}
		got, _ := e.svc.Get(ctx, e.clientA, u.ID)
		if got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(first) || got.PhoneVerifiedAt != nil ||
			!got.SecondaryVerifiedAt["+447911123456"].Equal(first) || len(got.SecondaryVerifiedAt) != 1 {
			t.Errorf("after verifying = email %v phone %v secondary %v", got.EmailVerifiedAt, got.PhoneVerifiedAt, got.SecondaryVerifiedAt)
		}

		// A secondary email becomes the primary one; the former primary, still verified,
		// becomes a secondary one.
		then := first.Add(time.Minute)
		e.svc.now = func() time.Time { return then }
		if err := e.svc.Verify(ctx, e.clientA, u.ID, AddressEmail, "work@example.com", true); err != nil {
			t.Fatalf("verify and make primary: %v", err)
		}
		got, _ = e.svc.Get(ctx, e.clientA, u.ID)
		if got.Email != "work@example.com" || !got.EmailVerifiedAt.Equal(then) ||
			!slices.Equal(got.SecondaryEmails, []string{"ada@example.com"}) || !got.SecondaryVerifiedAt["ada@example.com"].Equal(first) {
			t.Errorf("after the swap: %s verified %v, secondary %v verified %v", got.Email, got.EmailVerifiedAt, got.SecondaryEmails, got.SecondaryVerifiedAt)
		}
		if _, err := e.svc.GetBy(ctx, e.clientA, "email", "work@example.com"); err != nil {
			t.Errorf("the new primary email does not find the user: %v", err)
		}

		// The new primary must not be another user's.
		other := e.create(t, e.clientA, CreateInput{Email: "taken@example.com"})
		if _, err := e.svc.Update(ctx, e.clientA, u.ID, UpdateInput{SecondaryEmails: &[]string{"taken@example.com"}}); err != nil {
			t.Fatalf("add a secondary email: %v", err)
		}
		err := e.svc.Verify(ctx, e.clientA, u.ID, AddressEmail, "taken@example.com", true)
		wantFault(t, err, fault.Conflict, fault.CodeUserExists, "make another user's email primary")
		if err := e.svc.Verify(ctx, e.clientA, u.ID, AddressEmail, "taken@example.com", false); err != nil {
			t.Errorf("verify a secondary email another user has as primary: %v", err)
		}

		wantFault(t, e.svc.Verify(ctx, e.clientA, u.ID, AddressEmail, "nobody@example.com", false), fault.NotFound, fault.CodeNotFound, "verify an unknown email")
		wantNotFound(t, e.svc.Verify(ctx, e.clientB, other.ID, AddressEmail, "taken@example.com", false), "verify for another application")

		// Vouching for an address of a user shared with another application is the admin's.
		if _, err := e.svc.Create(ctx, e.clientB, CreateInput{Email: "taken@example.com"}); err != nil {
			t.Fatalf("link the user to application B: %v", err)
		}
		wantFault(t, e.svc.Verify(ctx, e.clientA, other.ID, AddressEmail, "taken@example.com", false), fault.Forbidden, ErrSharedUser.Code, "verify a shared user")
		if err := e.svc.Verify(ctx, e.admin, other.ID, AddressEmail, "taken@example.com", false); err != nil {
			t.Errorf("admin verifying a shared user: %v", err)
		}
	})
}

func TestGetByIdentifier(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "ada@example.com", PhoneNumber: "+14155552671", Username: "ada", ExternalUserID: "crm-1"})
		ctx := t.Context()
		for name, v := range map[string]string{
			"email": "Ada@Example.com", "phoneNumber": "+14155552671", "phone_number": "+14155552671",
			"externalUserId": "crm-1", "username": "ADA", "user_id": u.ID,
		} {
			got, err := e.svc.GetByIdentifier(ctx, e.clientA, name, v)
			if err != nil || got.ID != u.ID {
				t.Errorf("GetByIdentifier %s = %s, %v", name, got.ID, err)
			}
		}
		_, err := e.svc.GetByIdentifier(ctx, e.clientA, "idpIdentifier", "google|123")
		wantNotFound(t, err, "idpIdentifier")
		_, err = e.svc.GetByIdentifier(ctx, e.clientB, "email", "ada@example.com")
		wantNotFound(t, err, "another application's user")
		_, err = e.svc.GetByIdentifier(ctx, e.clientA, "", "")
		wantProblems(t, err, "nothing named", "identifier_name", "identifier_value")
		_, err = e.svc.GetByIdentifier(ctx, e.clientA, "shoe_size", "44")
		wantProblems(t, err, "unknown identifier", "identifier_name: must be one of")
	})
}

func TestGroupsOfAUser(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		u := e.create(t, e.clientA, CreateInput{Email: "ada@example.com"})
		groups, err := e.svc.Groups(t.Context(), e.clientA, u.ID)
		if err != nil || groups == nil || len(groups) != 0 {
			t.Errorf("Groups = %v, %v; want an empty list", groups, err)
		}
		_, err = e.svc.Groups(t.Context(), e.clientB, u.ID)
		wantNotFound(t, err, "groups of another application's user")
	})
}

func TestDescribe(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		u := e.create(t, e.clientA, CreateInput{Username: "solo", Credentials: &Credentials{Password: "Tr1cky-Lantern-84", ForceReplace: true},
			ExternalAccountID: "acct-7", Birthday: "1990-05-17T23:30:00-02:00"})
		if u.Email != "" || u.Username != "solo" || u.Birthday != "1990-05-17" || u.ExternalAccountID != "acct-7" {
			t.Errorf("created = %q %q %q %q", u.Email, u.Username, u.Birthday, u.ExternalAccountID)
		}
		if u.Password == nil || !u.Password.Temporary || u.Password.Expired || !u.Password.UpdatedAt.Equal(fixedNow) || u.Password.ExpiresAt == nil {
			t.Errorf("password information = %+v", u.Password)
		}
		if u.Identities == nil || len(u.Identities) != 0 || u.AppName == "" {
			t.Errorf("identities %v, application name %q", u.Identities, u.AppName)
		}
		for i, ev := range []struct {
			method string
			at     time.Duration
		}{{model.AMRPassword, 3 * time.Minute}, {model.AMREmailOTP, time.Minute}, {model.AMRPassword, 2 * time.Minute}} {
			err := e.store.AppendAudit(ctx, model.AuditEvent{ID: model.NewID(), TenantID: e.tenant, UserID: u.ID,
				Type: model.EventLoginSucceeded, Method: ev.method, Outcome: "success", CreatedAt: fixedNow.Add(ev.at)})
			if err != nil {
				t.Fatalf("audit event %d: %v", i, err)
			}
		}
		// The password expires a day past the temporary validity.
		e.svc.now = func() time.Time { return u.Password.ExpiresAt.Add(24 * time.Hour) }
		got, err := e.svc.Get(ctx, e.clientA, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []Identity{
			{Method: model.AMREmailOTP, First: fixedNow.Add(time.Minute), Last: fixedNow.Add(time.Minute)},
			{Method: model.AMRPassword, First: fixedNow.Add(2 * time.Minute), Last: fixedNow.Add(3 * time.Minute)},
		}
		if len(got.Identities) != 2 || got.Identities[0] != want[0] || got.Identities[1] != want[1] {
			t.Errorf("identities = %+v, want %+v", got.Identities, want)
		}
		if got.Password == nil || !got.Password.Expired {
			t.Errorf("password past its validity = %+v; want expired", got.Password)
		}
		byAdmin, _ := e.svc.Get(ctx, e.admin, u.ID)
		if byAdmin.AppName != "" || byAdmin.ExternalAccountID != "" || len(byAdmin.Identities) != 2 {
			t.Errorf("admin's view: app %q account %q identities %d", byAdmin.AppName, byAdmin.ExternalAccountID, len(byAdmin.Identities))
		}
		got, err = e.svc.Update(ctx, e.clientA, u.ID, UpdateInput{ExternalAccountID: ptr("acct-8"), CustomAppData: json.RawMessage(`{"a":1}`)})
		if err != nil || got.ExternalAccountID != "acct-8" || string(got.CustomAppData) != `{"a":1}` {
			t.Errorf("update of the account id = %q %s, %v", got.ExternalAccountID, got.CustomAppData, err)
		}
		_, err = e.svc.Update(ctx, e.admin, u.ID, UpdateInput{ExternalAccountID: ptr("")})
		wantProblems(t, err, "admin update of an account id", "external_account_id")
	})
}
