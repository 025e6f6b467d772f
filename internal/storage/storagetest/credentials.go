package storagetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var credentialTests = []namedTest{
	{"RoundTrip", testCredentialRoundTrip},
	{"GetMissing", testCredentialGetMissing},
	{"OtherTenant", testCredentialOtherTenant},
	{"ListByTypeOldestFirst", testCredentialList},
	{"Update", testCredentialUpdate},
	{"UpdateRefused", testCredentialUpdateRefused},
	{"Delete", testCredentialDelete},
	{"DuplicateLookupKey", testCredentialDuplicateLookup},
	{"EmptyLookupKeyNeverCollides", testCredentialEmptyLookup},
	{"UpdateToTakenLookupKey", testCredentialUpdateTakenLookup},
	{"DuplicateID", testCredentialDuplicateID},
	{"DuplicateKeepsTransaction", testCredentialDuplicateInTx},
	{"UnboundStaysUnbound", testCredentialUnbound},
}

// testCredentialUnbound stores a credential without an application or relying party (as
// rows from before they were recorded read) and checks that they stay empty, not defaulted,
// until an update sets them.
func testCredentialUnbound(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	c := makeCredential(e, model.CredentialWebAuthn)
	c.AppID, c.RPID = "", ""
	newCredential(t, s, c)
	wantEqual(t, "unbound credential", getCredential(t, s, e.Tenant.ID, c.ID), c)
	list, err := s.ListCredentials(t.Context(), e.Tenant.ID, e.User.ID, model.CredentialWebAuthn)
	must(t, err, "list credentials")
	if len(list) != 1 || list[0].RPID != "" || list[0].AppID != "" {
		t.Fatalf("listed unbound credential = %+v", list)
	}
	err = s.UpdateCredential(t.Context(), e.Tenant.ID, c.ID, func(cur model.Credential) (model.Credential, error) {
		cur.RPID = "login.example.com"
		return cur, nil
	})
	must(t, err, "bind credential")
	c.RPID = "login.example.com"
	wantEqual(t, "bound credential", getCredential(t, s, e.Tenant.ID, c.ID), c)
}

// makeCredential returns a WebAuthn-like credential of the env's user with every field set.
// Its secret starts with bytes that a text column would mangle.
func makeCredential(e env, typ string) model.Credential {
	id := model.NewID()
	return model.Credential{
		ID:         id,
		TenantID:   e.Tenant.ID,
		UserID:     e.User.ID,
		Type:       typ,
		LookupKey:  "lookup-" + id,
		Name:       "Security key ‘blue’",
		Secret:     append([]byte{0, 0xff, '\'', '\\', 0x80}, randomBytes(27)...),
		Data:       json.RawMessage(`{"sign_count":7,"transports":["usb","nfc"],"backup":false}`),
		CreatedAt:  base,
		UpdatedAt:  at(time.Hour),
		LastUsedAt: ptr(at(2 * time.Hour)),
		AppID:      e.App.ID,
		RPID:       "login.example.com",
	}
}

func newCredential(t *testing.T, s storage.Store, c model.Credential) model.Credential {
	t.Helper()
	must(t, s.CreateCredential(t.Context(), c), "create credential")
	return c
}

// getCredential reads a credential back and fails the test when it is missing.
func getCredential(t *testing.T, s storage.Store, tenantID, id string) model.Credential {
	t.Helper()
	c, err := s.GetCredential(t.Context(), tenantID, id)
	must(t, err, "get credential")
	return c
}

func listCredentials(t *testing.T, s storage.Store, tenantID, userID, typ string) []model.Credential {
	t.Helper()
	list, err := s.ListCredentials(t.Context(), tenantID, userID, typ)
	must(t, err, "list credentials")
	return list
}

func testCredentialRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	full := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	wantEqual(t, "GetCredential", getCredential(t, s, e.Tenant.ID, full.ID), full)
	got, err := s.GetCredentialByLookup(t.Context(), e.Tenant.ID, full.Type, full.LookupKey)
	must(t, err, "get credential by lookup key")
	wantEqual(t, "GetCredentialByLookup", got, full)
	if len(got.Data) == 0 {
		t.Errorf("GetCredential lost Data: got %q", got.Data)
	}

	// A bare credential: no lookup key, secret, data or last use.
	bare := makeCredential(e, model.CredentialRecovery)
	bare.LookupKey, bare.Name, bare.Secret, bare.Data, bare.LastUsedAt = "", "", nil, nil, nil
	newCredential(t, s, bare)
	got = getCredential(t, s, e.Tenant.ID, bare.ID)
	wantEqual(t, "GetCredential of a bare credential", got, bare)
	if got.LastUsedAt != nil {
		t.Errorf("LastUsedAt of a never used credential = %v, want nil", got.LastUsedAt)
	}
	if got.Data != nil {
		t.Errorf("Data of a credential without data = %q, want nil", got.Data)
	}
}

func testCredentialGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	c := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	keyless := makeCredential(e, model.CredentialWebAuthn)
	keyless.LookupKey = ""
	newCredential(t, s, keyless)

	_, err := s.GetCredential(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetCredential of a missing id")
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, c.Type, "no-such-key")
	wantNotFound(t, err, "GetCredentialByLookup of a missing key")
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, model.CredentialPassword, c.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup of a key under another type")
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, c.Type, "")
	wantNotFound(t, err, "GetCredentialByLookup of an empty key")
	err = s.UpdateCredential(t.Context(), e.Tenant.ID, model.NewID(), func(cur model.Credential) (model.Credential, error) {
		return cur, nil
	})
	wantNotFound(t, err, "UpdateCredential of a missing id")
	wantNotFound(t, s.DeleteCredential(t.Context(), e.Tenant.ID, model.NewID()), "DeleteCredential of a missing id")
	if list := listCredentials(t, s, e.Tenant.ID, model.NewID(), ""); len(list) != 0 {
		t.Errorf("ListCredentials of a user without credentials: got %v", idsOf(list))
	}
}

func testCredentialOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	c := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	intruder := newTenant(t, s)

	_, err := s.GetCredential(t.Context(), intruder.ID, c.ID)
	wantNotFound(t, err, "GetCredential under another tenant")
	_, err = s.GetCredentialByLookup(t.Context(), intruder.ID, c.Type, c.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup under another tenant")
	if list := listCredentials(t, s, intruder.ID, c.UserID, ""); len(list) != 0 {
		t.Errorf("ListCredentials under another tenant: got %v, want none", idsOf(list))
	}
	called := false
	err = s.UpdateCredential(t.Context(), intruder.ID, c.ID, func(cur model.Credential) (model.Credential, error) {
		called = true
		cur.Name = "stolen"
		return cur, nil
	})
	wantNotFound(t, err, "UpdateCredential under another tenant")
	if called {
		t.Errorf("UpdateCredential under another tenant showed the credential to the updater")
	}
	wantNotFound(t, s.DeleteCredential(t.Context(), intruder.ID, c.ID), "DeleteCredential under another tenant")
	wantEqual(t, "credential after another tenant's update and delete", getCredential(t, s, e.Tenant.ID, c.ID), c)
}

func testCredentialList(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	other := newUser(t, s, e.Tenant.ID)
	mk := func(typ string, created time.Duration) model.Credential {
		c := makeCredential(e, typ)
		c.CreatedAt = at(created)
		return newCredential(t, s, c)
	}
	// Out of creation order, with ties that only insertion order breaks.
	keyLate := mk(model.CredentialWebAuthn, 2*oneDay)
	keyEarly := mk(model.CredentialWebAuthn, 0)
	pwd := mk(model.CredentialPassword, oneDay)
	keyTie1 := mk(model.CredentialWebAuthn, oneDay)
	keyTie2 := mk(model.CredentialWebAuthn, oneDay)
	recTie1 := mk(model.CredentialRecovery, 0)
	recTie2 := mk(model.CredentialRecovery, 0)
	recTie3 := mk(model.CredentialRecovery, 0)
	theirs := makeCredential(e, model.CredentialWebAuthn)
	theirs.UserID = other.ID
	newCredential(t, s, theirs)

	wantList(t, "ListCredentials of type webauthn", listCredentials(t, s, e.Tenant.ID, e.User.ID, model.CredentialWebAuthn),
		[]model.Credential{keyEarly, keyTie1, keyTie2, keyLate})
	wantIDs(t, "ListCredentials of type recovery_code", listCredentials(t, s, e.Tenant.ID, e.User.ID, model.CredentialRecovery),
		recTie1.ID, recTie2.ID, recTie3.ID)
	wantIDs(t, "ListCredentials of every type", listCredentials(t, s, e.Tenant.ID, e.User.ID, ""),
		keyEarly.ID, recTie1.ID, recTie2.ID, recTie3.ID, pwd.ID, keyTie1.ID, keyTie2.ID, keyLate.ID)
	if list := listCredentials(t, s, e.Tenant.ID, e.User.ID, model.CredentialTOTP); len(list) != 0 {
		t.Errorf("ListCredentials of a type the user has none of: got %v", idsOf(list))
	}
	wantIDs(t, "ListCredentials of the other user", listCredentials(t, s, e.Tenant.ID, other.ID, ""), theirs.ID)
}

func testCredentialUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := makeCredential(e, model.CredentialWebAuthn)
	orig.LastUsedAt = nil
	newCredential(t, s, orig)
	other := newUser(t, s, e.Tenant.ID)

	var seen model.Credential
	want := orig
	want.LookupKey, want.Name = "renamed-"+orig.ID, "Phone"
	want.Secret, want.Data = randomBytes(16), json.RawMessage(`{"sign_count":8}`)
	want.UpdatedAt, want.LastUsedAt = at(oneDay), ptr(at(oneDay))
	want.AppID, want.RPID = model.NewID(), "bound.example.com"
	err := s.UpdateCredential(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Credential) (model.Credential, error) {
		seen = cur
		next := want
		next.ID, next.TenantID, next.UserID = model.NewID(), model.NewID(), other.ID // ignored
		return next, nil
	})
	must(t, err, "update credential")
	wantEqual(t, "credential seen by the updater", seen, orig)
	wantEqual(t, "credential after update", getCredential(t, s, e.Tenant.ID, orig.ID), want)
	got, err := s.GetCredentialByLookup(t.Context(), e.Tenant.ID, want.Type, want.LookupKey)
	must(t, err, "get credential by its new lookup key")
	wantEqual(t, "credential by its new lookup key", got, want)
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, orig.Type, orig.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup of the old lookup key")

	// Clearing the optional fields stores them as absent.
	err = s.UpdateCredential(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Credential) (model.Credential, error) {
		cur.LookupKey, cur.Secret, cur.Data, cur.LastUsedAt = "", nil, nil, nil
		return cur, nil
	})
	must(t, err, "clear credential")
	cleared := want
	cleared.LookupKey, cleared.Secret, cleared.Data, cleared.LastUsedAt = "", nil, nil, nil
	wantEqual(t, "credential after clearing", getCredential(t, s, e.Tenant.ID, orig.ID), cleared)
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, want.Type, want.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup of a cleared lookup key")
}

func testCredentialUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := newCredential(t, s, makeCredential(e, model.CredentialTOTP))
	err := s.UpdateCredential(t.Context(), e.Tenant.ID, orig.ID, func(cur model.Credential) (model.Credential, error) {
		cur.Name, cur.Data = "changed", json.RawMessage(`{}`)
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateCredential with a failing updater: got %v, want the updater's error", err)
	}
	wantEqual(t, "credential after a refused update", getCredential(t, s, e.Tenant.ID, orig.ID), orig)
}

func testCredentialDelete(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	doomed := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	kept := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	must(t, s.DeleteCredential(t.Context(), e.Tenant.ID, doomed.ID), "delete credential")
	_, err := s.GetCredential(t.Context(), e.Tenant.ID, doomed.ID)
	wantNotFound(t, err, "GetCredential after delete")
	_, err = s.GetCredentialByLookup(t.Context(), e.Tenant.ID, doomed.Type, doomed.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup after delete")
	wantNotFound(t, s.DeleteCredential(t.Context(), e.Tenant.ID, doomed.ID), "second DeleteCredential")
	wantList(t, "ListCredentials after delete", listCredentials(t, s, e.Tenant.ID, e.User.ID, ""), []model.Credential{kept})
	// The lookup key is free again.
	again := makeCredential(e, doomed.Type)
	again.LookupKey = doomed.LookupKey
	must(t, s.CreateCredential(t.Context(), again), "create credential with a deleted credential's lookup key")
}
