package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var userTests = []namedTest{
	{"RoundTrip", testUserRoundTrip},
	{"RoundTripBare", testUserRoundTripBare},
	{"GetBy", testUserGetBy},
	{"Lookup", testUserLookup},
	{"GetMissing", testUserGetMissing},
	{"OtherTenant", testUserOtherTenant},
	{"DuplicateIdentifiers", testUserDuplicateIdentifiers},
	{"DuplicateID", testUserDuplicateID},
	{"SameIdentifiersOtherTenant", testUserSameIdentifiersOtherTenant},
	{"EmptyIdentifiersNeverCollide", testUserEmptyIdentifiers},
	{"Update", testUserUpdate},
	{"MarkLogin", testUserMarkLogin},
	{"UpdateRefused", testUserUpdateRefused},
	{"UpdateTakenEmail", testUserUpdateTakenEmail},
	{"Delete", testUserDelete},
	{"DeleteCascades", testUserDeleteCascades},
}

func testUserRoundTrip(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newUser(t, s, tenant.ID)
	got, err := s.GetUser(t.Context(), tenant.ID, want.ID)
	must(t, err, "get user")
	wantEqual(t, "GetUser", got, want)
}

// testUserRoundTripBare stores a user with nothing optional set, and times given outside UTC
// and below the millisecond: they come back in UTC, as the same instant to the millisecond.
func testUserRoundTripBare(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	want := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "bare@example.com", Status: model.UserPending,
		CreatedAt: base.Add(123_456 * time.Nanosecond).In(zone), UpdatedAt: base.In(zone)}
	must(t, s.CreateUser(t.Context(), want), "create bare user")
	got, err := s.GetUser(t.Context(), tenant.ID, want.ID)
	must(t, err, "get bare user")
	wantEqual(t, "GetUser of a bare user", got, want)
	for name, p := range map[string]*time.Time{"EmailVerifiedAt": got.EmailVerifiedAt,
		"PhoneVerifiedAt": got.PhoneVerifiedAt, "LastAuthAt": got.LastAuthAt} {
		if p != nil {
			t.Errorf("bare user: %s = %v, want nil", name, *p)
		}
	}
}

func testUserGetBy(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newUser(t, s, tenant.ID)
	newUser(t, s, tenant.ID) // a neighbour that must not be returned
	for field, value := range map[string]string{
		storage.UserByEmail:          want.Email,
		storage.UserByPhone:          want.PhoneNumber,
		storage.UserByUsername:       want.Username,
		storage.UserByExternalUserID: want.ExternalUserID,
	} {
		got, err := s.GetUserBy(t.Context(), tenant.ID, field, value)
		if err != nil {
			t.Errorf("GetUserBy %s: %v", field, err)
			continue
		}
		wantEqual(t, "GetUserBy "+field, got, want)
		_, err = s.GetUserBy(t.Context(), tenant.ID, field, "missing-"+value)
		wantNotFound(t, err, "GetUserBy "+field+" of a missing value")
	}
}

func testUserLookup(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	want := newUser(t, s, tenant.ID)
	standIn := newUser(t, s, tenant.ID)
	other := newTenant(t, s)
	for field, value := range map[string]string{
		storage.UserByEmail:          want.Email,
		storage.UserByPhone:          want.PhoneNumber,
		storage.UserByUsername:       want.Username,
		storage.UserByExternalUserID: want.ExternalUserID,
		storage.UserByID:             want.ID,
	} {
		got, err := s.LookupUser(t.Context(), tenant.ID, field, value, standIn.ID)
		if err != nil {
			t.Errorf("LookupUser %s: %v", field, err)
			continue
		}
		wantEqual(t, "LookupUser "+field, got, want)
		// A miss reads the stand-in but never returns it, whether or not the stand-in exists.
		for _, sid := range []string{standIn.ID, model.NewID(), ""} {
			got, err = s.LookupUser(t.Context(), tenant.ID, field, "missing-"+value, sid)
			wantNotFound(t, err, "LookupUser "+field+" of a missing value")
			if got.ID != "" {
				t.Errorf("LookupUser %s of a missing value returned user %s", field, got.ID)
			}
		}
		// Another tenant's lookup does not find the user, with or without the stand-in.
		_, err = s.LookupUser(t.Context(), other.ID, field, value, standIn.ID)
		wantNotFound(t, err, "LookupUser "+field+" in another tenant")
	}
	_, err := s.LookupUser(t.Context(), tenant.ID, storage.UserByEmail, "", standIn.ID)
	wantNotFound(t, err, "LookupUser of an empty value")
	if _, err := s.LookupUser(t.Context(), tenant.ID, "name", "anything", standIn.ID); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("LookupUser by an unknown field: %v, want a plain error", err)
	}
}

func testUserGetMissing(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	newUser(t, s, tenant.ID)
	_, err := s.GetUser(t.Context(), tenant.ID, model.NewID())
	wantNotFound(t, err, "GetUser of a missing id")
	err = s.UpdateUser(t.Context(), tenant.ID, model.NewID(), func(u model.User) (model.User, error) {
		return u, nil
	})
	wantNotFound(t, err, "UpdateUser of a missing id")
	wantNotFound(t, s.DeleteUser(t.Context(), tenant.ID, model.NewID()), "DeleteUser of a missing id")
}

func testUserOtherTenant(t *testing.T, s storage.Store) {
	owner, intruder := newTenant(t, s), newTenant(t, s)
	u := newUser(t, s, owner.ID)
	_, err := s.GetUser(t.Context(), intruder.ID, u.ID)
	wantNotFound(t, err, "GetUser under another tenant")
	_, err = s.GetUserBy(t.Context(), intruder.ID, storage.UserByEmail, u.Email)
	wantNotFound(t, err, "GetUserBy email under another tenant")
	_, err = s.GetUserBy(t.Context(), intruder.ID, storage.UserByUsername, u.Username)
	wantNotFound(t, err, "GetUserBy username under another tenant")
	called := false
	err = s.UpdateUser(t.Context(), intruder.ID, u.ID, func(cur model.User) (model.User, error) {
		called = true
		cur.Status = model.UserDisabled
		return cur, nil
	})
	wantNotFound(t, err, "UpdateUser under another tenant")
	if called {
		t.Errorf("UpdateUser under another tenant showed the user to the updater")
	}
	wantNotFound(t, s.DeleteUser(t.Context(), intruder.ID, u.ID), "DeleteUser under another tenant")
	got, err := s.GetUser(t.Context(), owner.ID, u.ID)
	must(t, err, "get user")
	wantEqual(t, "user after another tenant's update and delete", got, u)
}

func testUserDuplicateIdentifiers(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newUser(t, s, tenant.ID)
	cases := []struct {
		field string
		set   func(*model.User)
	}{
		{"email", func(u *model.User) { u.Email = first.Email }},
		{"phone_number", func(u *model.User) { u.PhoneNumber = first.PhoneNumber }},
		{"username", func(u *model.User) { u.Username = first.Username }},
		{"external_user_id", func(u *model.User) { u.ExternalUserID = first.ExternalUserID }},
	}
	for _, c := range cases {
		dup := makeUser(tenant.ID)
		c.set(&dup)
		wantDuplicate(t, s.CreateUser(t.Context(), dup), c.field, "CreateUser with a taken "+c.field)
		_, err := s.GetUser(t.Context(), tenant.ID, dup.ID)
		wantNotFound(t, err, "GetUser of the user rejected for "+c.field)
	}
	_, total, err := s.ListUsers(t.Context(), model.UserQuery{TenantID: tenant.ID, Limit: 10})
	must(t, err, "list users")
	if total != 1 {
		t.Errorf("users after rejected creates: total %d, want 1", total)
	}
}

func testUserDuplicateID(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	first := newUser(t, s, tenant.ID)
	second := makeUser(tenant.ID)
	second.ID = first.ID
	if err := s.CreateUser(t.Context(), second); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateUser with a taken id: got %v, want ErrAlreadyExists", err)
	}
	got, err := s.GetUser(t.Context(), tenant.ID, first.ID)
	must(t, err, "get user")
	wantEqual(t, "first user after the rejected create", got, first)
}

func testUserSameIdentifiersOtherTenant(t *testing.T, s storage.Store) {
	a, b := newTenant(t, s), newTenant(t, s)
	first := newUser(t, s, a.ID)
	twin := makeUser(b.ID)
	twin.Email, twin.PhoneNumber = first.Email, first.PhoneNumber
	twin.Username, twin.ExternalUserID = first.Username, first.ExternalUserID
	must(t, s.CreateUser(t.Context(), twin), "create user with another tenant's identifiers")
	got, err := s.GetUserBy(t.Context(), a.ID, storage.UserByEmail, first.Email)
	must(t, err, "get tenant A's user by email")
	wantEqual(t, "tenant A's user", got, first)
	got, err = s.GetUserBy(t.Context(), b.ID, storage.UserByEmail, first.Email)
	must(t, err, "get tenant B's user by email")
	wantEqual(t, "tenant B's user", got, twin)
}

func testUserEmptyIdentifiers(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	for i := range 3 {
		u := model.User{ID: model.NewID(), TenantID: tenant.ID, Status: model.UserActive, CreatedAt: base, UpdatedAt: base}
		if i == 2 {
			u.Email = u.ID + "@example.com" // one with an email, the others with nothing
		}
		must(t, s.CreateUser(t.Context(), u), "create user without identifiers")
	}
	// Two users that differ only in email also share an empty username, phone and external id.
	for range 2 {
		u := makeUser(tenant.ID)
		u.Username, u.PhoneNumber, u.ExternalUserID = "", "", ""
		must(t, s.CreateUser(t.Context(), u), "create user with only an email")
	}
	// An empty identifier names nobody, though several users have it empty.
	for _, field := range []string{storage.UserByEmail, storage.UserByPhone, storage.UserByUsername, storage.UserByExternalUserID} {
		_, err := s.GetUserBy(t.Context(), tenant.ID, field, "")
		wantNotFound(t, err, "GetUserBy "+field+" of an empty value")
	}
}

func testUserUpdate(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newUser(t, s, tenant.ID)
	want := orig
	want.Email = "new-" + orig.Email
	want.EmailVerifiedAt = nil
	want.PhoneNumber = ""
	want.PhoneVerifiedAt = nil
	want.Username = "renamed-" + orig.ID
	want.Name.FirstName = "Augusta"
	want.Address = model.Address{Country: "FR", Type: "Work"}
	want.SecondaryEmails = nil
	want.CustomData = []byte(`{"plan":"silver"}`)
	want.Status = model.UserDisabled
	want.UpdatedAt = at(time.Hour)
	want.LastAuthAt = ptr(at(time.Hour))
	want.StatusChangedAt = ptr(at(time.Hour))
	want.AddressUpdatedAt = nil
	want.SecondaryVerifiedAt = map[string]time.Time{"+441234567890": at(time.Hour)}
	var seen model.User
	err := s.UpdateUser(t.Context(), tenant.ID, orig.ID, func(cur model.User) (model.User, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update user")
	wantEqual(t, "user seen by the updater", seen, orig)
	got, err := s.GetUser(t.Context(), tenant.ID, orig.ID)
	must(t, err, "get user")
	wantEqual(t, "user after update", got, want)
	got, err = s.GetUserBy(t.Context(), tenant.ID, storage.UserByEmail, want.Email)
	must(t, err, "get user by new email")
	wantEqual(t, "user by new email", got, want)
	_, err = s.GetUserBy(t.Context(), tenant.ID, storage.UserByEmail, orig.Email)
	wantNotFound(t, err, "GetUserBy of the old email")

	// The old identifiers are free again, and keeping one's own is no collision.
	reuse := makeUser(tenant.ID)
	reuse.Email, reuse.PhoneNumber = orig.Email, orig.PhoneNumber
	must(t, s.CreateUser(t.Context(), reuse), "create user with the released email and phone")
	err = s.UpdateUser(t.Context(), tenant.ID, orig.ID, func(cur model.User) (model.User, error) {
		cur.Language = "fr"
		return cur, nil
	})
	must(t, err, "update user keeping their identifiers")
}

func testUserUpdateRefused(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	orig := newUser(t, s, tenant.ID)
	err := s.UpdateUser(t.Context(), tenant.ID, orig.ID, func(cur model.User) (model.User, error) {
		cur.Status = model.UserDisabled
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateUser with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetUser(t.Context(), tenant.ID, orig.ID)
	must(t, err, "get user")
	wantEqual(t, "user after a refused update", got, orig)
}

func testUserUpdateTakenEmail(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	a, b := newUser(t, s, tenant.ID), newUser(t, s, tenant.ID)
	err := s.UpdateUser(t.Context(), tenant.ID, b.ID, func(cur model.User) (model.User, error) {
		cur.Email = a.Email
		cur.Language = "de"
		return cur, nil
	})
	wantAlreadyExists(t, err, "email", "UpdateUser to a taken email")
	got, err := s.GetUser(t.Context(), tenant.ID, b.ID)
	must(t, err, "get user")
	wantEqual(t, "user after a colliding update", got, b)
	got, err = s.GetUserBy(t.Context(), tenant.ID, storage.UserByEmail, a.Email)
	must(t, err, "get user by the contested email")
	wantEqual(t, "owner of the contested email", got, a)
}

func testUserDelete(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	doomed, kept := newUser(t, s, tenant.ID), newUser(t, s, tenant.ID)
	must(t, s.DeleteUser(t.Context(), tenant.ID, doomed.ID), "delete user")
	_, err := s.GetUser(t.Context(), tenant.ID, doomed.ID)
	wantNotFound(t, err, "GetUser after delete")
	_, err = s.GetUserBy(t.Context(), tenant.ID, storage.UserByEmail, doomed.Email)
	wantNotFound(t, err, "GetUserBy email after delete")
	wantNotFound(t, s.DeleteUser(t.Context(), tenant.ID, doomed.ID), "second DeleteUser")
	_, err = s.GetUser(t.Context(), tenant.ID, kept.ID)
	must(t, err, "get the other user")
	// The identifiers are free again.
	again := makeUser(tenant.ID)
	again.Email, again.Username = doomed.Email, doomed.Username
	must(t, s.CreateUser(t.Context(), again), "create user with a deleted user's identifiers")
}

func testUserDeleteCascades(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	must(t, s.LinkUser(t.Context(), makeAppUser(e)), "link user")
	sess := newSession(t, s, makeSession(e))
	rt := newRefresh(t, s, makeRefresh(e, sess.ID))
	// Tokens are found through the user's sessions: a second session, with two families.
	sess2 := newSession(t, s, makeSession(e))
	rts := []model.RefreshToken{rt, newRefresh(t, s, makeRefresh(e, sess2.ID)), newRefresh(t, s, makeRefresh(e, sess2.ID))}
	cred := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	keyless := makeCredential(e, model.CredentialRecovery)
	keyless.LookupKey = ""
	newCredential(t, s, keyless)

	// A neighbour's records stay.
	n := e
	n.User = newUser(t, s, e.Tenant.ID)
	must(t, s.LinkUser(t.Context(), makeAppUser(n)), "link neighbour")
	nSess := newSession(t, s, makeSession(n))
	nRT := newRefresh(t, s, makeRefresh(n, nSess.ID))
	nCred := newCredential(t, s, makeCredential(n, model.CredentialWebAuthn))

	must(t, s.DeleteUser(t.Context(), e.Tenant.ID, e.User.ID), "delete user")
	_, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetAppUser after DeleteUser")
	_, err = s.GetSession(t.Context(), e.Tenant.ID, sess.ID)
	wantNotFound(t, err, "GetSession after DeleteUser")
	list, err := s.ListSessions(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "list sessions of a deleted user")
	if len(list) != 0 {
		t.Errorf("ListSessions after DeleteUser: got %v, want none", idsOf(list))
	}
	for _, rt := range rts {
		_, err = s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
		wantNotFound(t, err, "GetRefreshTokenByHash after DeleteUser")
	}
	for _, id := range []string{cred.ID, keyless.ID} {
		_, err = s.GetCredential(t.Context(), e.Tenant.ID, id)
		wantNotFound(t, err, "GetCredential after DeleteUser")
	}
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, cred.Type, cred.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup after DeleteUser")
	if list := listCredentials(t, s, e.Tenant.ID, e.User.ID, ""); len(list) != 0 {
		t.Errorf("ListCredentials after DeleteUser: got %v, want none", idsOf(list))
	}

	_, err = s.GetAppUser(t.Context(), n.Tenant.ID, n.App.ID, n.User.ID)
	must(t, err, "get the neighbour's link")
	_, err = s.GetSession(t.Context(), n.Tenant.ID, nSess.ID)
	must(t, err, "get the neighbour's session")
	_, err = s.GetRefreshTokenByHash(t.Context(), nRT.TokenHash)
	must(t, err, "get the neighbour's refresh token")
	wantEqual(t, "the neighbour's credential", getCredential(t, s, n.Tenant.ID, nCred.ID), nCred)
}
