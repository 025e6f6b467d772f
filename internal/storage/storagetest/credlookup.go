package storagetest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

func testCredentialDuplicateLookup(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	first := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))

	// The same key under the same tenant and type collides, whoever the user.
	other := newUser(t, s, e.Tenant.ID)
	for _, userID := range []string{e.User.ID, other.ID} {
		dup := makeCredential(e, first.Type)
		dup.UserID, dup.LookupKey = userID, first.LookupKey
		wantDuplicate(t, s.CreateCredential(t.Context(), dup), "lookup_key", "CreateCredential with a taken lookup key")
		_, err := s.GetCredential(t.Context(), e.Tenant.ID, dup.ID)
		wantNotFound(t, err, "GetCredential of the rejected credential")
	}

	// Another type or another tenant may use the same key.
	otherType := makeCredential(e, model.CredentialPassword)
	otherType.LookupKey = first.LookupKey
	must(t, s.CreateCredential(t.Context(), otherType), "create credential with the key under another type")
	f := newEnv(t, s)
	otherTenant := makeCredential(f, first.Type)
	otherTenant.LookupKey = first.LookupKey
	must(t, s.CreateCredential(t.Context(), otherTenant), "create credential with the key under another tenant")

	for _, c := range []model.Credential{first, otherType, otherTenant} {
		got, err := s.GetCredentialByLookup(t.Context(), c.TenantID, c.Type, c.LookupKey)
		must(t, err, "get credential by lookup key")
		wantEqual(t, "GetCredentialByLookup of "+c.Type, got, c)
	}
	wantIDs(t, "the first user's credentials", listCredentials(t, s, e.Tenant.ID, e.User.ID, ""), first.ID, otherType.ID)
	if list := listCredentials(t, s, e.Tenant.ID, other.ID, ""); len(list) != 0 {
		t.Errorf("ListCredentials of the user whose creates were rejected: got %v", idsOf(list))
	}
}

func testCredentialEmptyLookup(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	var ids []string
	for range 3 {
		c := makeCredential(e, model.CredentialRecovery)
		c.LookupKey = ""
		newCredential(t, s, c)
		ids = append(ids, c.ID)
	}
	wantIDs(t, "credentials without lookup keys", listCredentials(t, s, e.Tenant.ID, e.User.ID, model.CredentialRecovery), ids...)
	// Clearing keys never makes them collide, with each other or with those that had none.
	for range 2 {
		keyed := newCredential(t, s, makeCredential(e, model.CredentialRecovery))
		must(t, s.UpdateCredential(t.Context(), e.Tenant.ID, keyed.ID, func(cur model.Credential) (model.Credential, error) {
			cur.LookupKey = ""
			return cur, nil
		}), "clear a lookup key")
	}
	if list := listCredentials(t, s, e.Tenant.ID, e.User.ID, ""); len(list) != 5 {
		t.Errorf("credentials without lookup keys: got %d, want 5", len(list))
	}
}

func testCredentialUpdateTakenLookup(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	taken := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	mover := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	err := s.UpdateCredential(t.Context(), e.Tenant.ID, mover.ID, func(cur model.Credential) (model.Credential, error) {
		cur.LookupKey, cur.Name, cur.Data = taken.LookupKey, "moved", nil
		return cur, nil
	})
	wantDuplicate(t, err, "lookup_key", "UpdateCredential to a taken lookup key")
	wantEqual(t, "credential after the rejected update", getCredential(t, s, e.Tenant.ID, mover.ID), mover)
	wantEqual(t, "holder of the key after the rejected update", getCredential(t, s, e.Tenant.ID, taken.ID), taken)

	// The same key under another type is free.
	err = s.UpdateCredential(t.Context(), e.Tenant.ID, mover.ID, func(cur model.Credential) (model.Credential, error) {
		cur.Type, cur.LookupKey = model.CredentialPassword, taken.LookupKey
		return cur, nil
	})
	must(t, err, "update credential to the key under another type")
	got, err := s.GetCredentialByLookup(t.Context(), e.Tenant.ID, model.CredentialPassword, taken.LookupKey)
	must(t, err, "get the moved credential by lookup key")
	if got.ID != mover.ID {
		t.Errorf("GetCredentialByLookup after the move: got %s, want %s", got.ID, mover.ID)
	}
}

func testCredentialDuplicateID(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	first := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	second := makeCredential(e, model.CredentialTOTP)
	second.ID = first.ID
	if err := s.CreateCredential(t.Context(), second); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("CreateCredential with a taken id: got %v, want ErrAlreadyExists", err)
	}
	wantEqual(t, "first credential after the rejected create", getCredential(t, s, e.Tenant.ID, first.ID), first)
	_, err := s.GetCredentialByLookup(t.Context(), e.Tenant.ID, second.Type, second.LookupKey)
	wantNotFound(t, err, "GetCredentialByLookup of the rejected credential")
}

// testCredentialDuplicateInTx checks that a lookup-key collision inside a transaction leaves
// the transaction usable, so that a caller can look the holder up and go on.
func testCredentialDuplicateInTx(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	taken := newCredential(t, s, makeCredential(e, model.CredentialWebAuthn))
	later := makeCredential(e, model.CredentialTOTP)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		dup := makeCredential(e, taken.Type)
		dup.LookupKey = taken.LookupKey
		if err := tx.CreateCredential(t.Context(), dup); !errors.Is(err, storage.ErrAlreadyExists) {
			return errors.New("create with a taken lookup key did not fail with ErrAlreadyExists")
		}
		if _, err := tx.GetCredentialByLookup(t.Context(), e.Tenant.ID, taken.Type, taken.LookupKey); err != nil {
			return err
		}
		return tx.CreateCredential(t.Context(), later)
	})
	must(t, err, "transaction with a collision")
	wantEqual(t, "credential created after the collision", getCredential(t, s, e.Tenant.ID, later.ID), later)
}

// testCredentialNoLostUpdate races updaters that each add one to a counter kept in Data, as a
// WebAuthn sign count or a TOTP step is kept: every increment must survive.
func testCredentialNoLostUpdate(t *testing.T, s storage.Store) {
	const n = 20
	type counted struct {
		Count int `json:"count"`
	}
	e := newEnv(t, s)
	c := makeCredential(e, model.CredentialWebAuthn)
	c.Data = json.RawMessage(`{"count":0}`)
	newCredential(t, s, c)
	errs := race(t, n, func(int) error {
		return s.UpdateCredential(t.Context(), e.Tenant.ID, c.ID, func(cur model.Credential) (model.Credential, error) {
			var d counted
			if err := json.Unmarshal(cur.Data, &d); err != nil {
				return cur, err
			}
			d.Count++
			b, err := json.Marshal(d)
			if err != nil {
				return cur, err
			}
			cur.Data = b
			return cur, nil
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent increment %d failed: %v", i, err)
		}
	}
	var got counted
	must(t, json.Unmarshal(getCredential(t, s, e.Tenant.ID, c.ID).Data, &got), "decode credential data")
	if got.Count != n {
		t.Errorf("count after %d concurrent increments = %d, want %d (lost updates)", n, got.Count, n)
	}
}
