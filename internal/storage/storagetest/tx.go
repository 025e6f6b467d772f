package storagetest

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var txTests = []namedTest{
	{"CommitOnNil", testTxCommit},
	{"RollbackOnError", testTxRollback},
	{"RollbackUpdate", testTxRollbackUpdate},
	{"NestedJoins", testTxNestedJoins},
	{"NestedErrorRollsBackAll", testTxNestedError},
	{"ReadsSeeWrites", testTxReadsSeeWrites},
	{"DuplicateKeepsTransaction", testTxDuplicateKeepsTx},
}

func testTxCommit(t *testing.T, s storage.Store) {
	tenant, app, user := makeTenant(), model.Application{}, model.User{}
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateTenant(t.Context(), tenant); err != nil {
			return err
		}
		app = makeApp(tenant.ID)
		if err := tx.CreateApplication(t.Context(), app); err != nil {
			return err
		}
		user = makeUser(tenant.ID)
		return tx.CreateUser(t.Context(), user)
	})
	must(t, err, "transaction")
	got, err := s.GetTenant(t.Context(), tenant.ID)
	must(t, err, "get tenant written in a committed transaction")
	wantEqual(t, "tenant", got, tenant)
	_, err = s.GetApplication(t.Context(), tenant.ID, app.ID)
	must(t, err, "get application written in a committed transaction")
	_, err = s.GetUser(t.Context(), tenant.ID, user.ID)
	must(t, err, "get user written in a committed transaction")
}

func testTxRollback(t *testing.T, s storage.Store) {
	tenant := makeTenant()
	app, user := makeApp(tenant.ID), makeUser(tenant.ID)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateTenant(t.Context(), tenant); err != nil {
			return err
		}
		if err := tx.CreateApplication(t.Context(), app); err != nil {
			return err
		}
		if err := tx.CreateUser(t.Context(), user); err != nil {
			return err
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("InTx: got %v, want fn's error", err)
	}
	_, err = s.GetTenant(t.Context(), tenant.ID)
	wantNotFound(t, err, "GetTenant written in a rolled back transaction")
	_, err = s.GetApplication(t.Context(), tenant.ID, app.ID)
	wantNotFound(t, err, "GetApplication written in a rolled back transaction")
	_, err = s.GetUser(t.Context(), tenant.ID, user.ID)
	wantNotFound(t, err, "GetUser written in a rolled back transaction")
	// The name is free: nothing of the tenant was kept.
	must(t, s.CreateTenant(t.Context(), tenant), "create the rolled back tenant again")
}

func testTxRollbackUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.UpdateUser(t.Context(), e.Tenant.ID, e.User.ID, func(u model.User) (model.User, error) {
			u.Status = model.UserDisabled
			return u, nil
		}); err != nil {
			return err
		}
		if err := tx.DeleteClient(t.Context(), e.Tenant.ID, e.Client.ID); err != nil {
			return err
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("InTx: got %v, want fn's error", err)
	}
	got, err := s.GetUser(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "get user")
	wantEqual(t, "user updated in a rolled back transaction", got, e.User)
	client, err := s.GetClient(t.Context(), e.Client.ID)
	must(t, err, "get client deleted in a rolled back transaction")
	wantEqual(t, "client deleted in a rolled back transaction", client, e.Client)
}

func testTxNestedJoins(t *testing.T, s storage.Store) {
	tenant := makeTenant()
	app := makeApp(tenant.ID)
	// Inner succeeds, outer fails: the inner write goes with the outer transaction.
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateTenant(t.Context(), tenant); err != nil {
			return err
		}
		if err := tx.InTx(t.Context(), func(inner storage.Store) error {
			return inner.CreateApplication(t.Context(), app)
		}); err != nil {
			return err
		}
		// The outer transaction sees the inner one's write.
		if _, err := tx.GetApplication(t.Context(), tenant.ID, app.ID); err != nil {
			return err
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("InTx: got %v, want fn's error", err)
	}
	_, err = s.GetApplication(t.Context(), tenant.ID, app.ID)
	wantNotFound(t, err, "GetApplication written by a nested InTx of a rolled back transaction")
	_, err = s.GetTenant(t.Context(), tenant.ID)
	wantNotFound(t, err, "GetTenant written in a rolled back transaction")

	// Both succeed: both writes are committed.
	err = s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateTenant(t.Context(), tenant); err != nil {
			return err
		}
		return tx.InTx(t.Context(), func(inner storage.Store) error {
			return inner.CreateApplication(t.Context(), app)
		})
	})
	must(t, err, "nested transactions")
	_, err = s.GetApplication(t.Context(), tenant.ID, app.ID)
	must(t, err, "get application written by a committed nested InTx")
}

func testTxNestedError(t *testing.T, s storage.Store) {
	tenant := makeTenant()
	app := makeApp(tenant.ID)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateTenant(t.Context(), tenant); err != nil {
			return err
		}
		return tx.InTx(t.Context(), func(inner storage.Store) error {
			if err := inner.CreateApplication(t.Context(), app); err != nil {
				return err
			}
			return errRefused
		})
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("InTx: got %v, want the nested fn's error", err)
	}
	_, err = s.GetTenant(t.Context(), tenant.ID)
	wantNotFound(t, err, "GetTenant of a transaction whose nested InTx failed")
	_, err = s.GetApplication(t.Context(), tenant.ID, app.ID)
	wantNotFound(t, err, "GetApplication of a failed nested InTx")
}

func testTxReadsSeeWrites(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	user := makeUser(e.Tenant.ID)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.CreateUser(t.Context(), user); err != nil {
			return err
		}
		got, err := tx.GetUser(t.Context(), e.Tenant.ID, user.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "user read back inside the transaction", got, user)
		if _, err := tx.GetUserBy(t.Context(), e.Tenant.ID, storage.UserByEmail, user.Email); err != nil {
			return err
		}
		_, total, err := tx.ListUsers(t.Context(), model.UserQuery{TenantID: e.Tenant.ID, Limit: 10})
		if err != nil {
			return err
		}
		if total != 2 {
			t.Errorf("ListUsers inside the transaction: total %d, want 2", total)
		}
		if err := tx.UpdateUser(t.Context(), e.Tenant.ID, user.ID, func(u model.User) (model.User, error) {
			u.Language = "fr"
			return u, nil
		}); err != nil {
			return err
		}
		got, err = tx.GetUser(t.Context(), e.Tenant.ID, user.ID)
		if err != nil {
			return err
		}
		if got.Language != "fr" {
			t.Errorf("user read back inside the transaction after an update: Language = %q, want fr", got.Language)
		}
		return nil
	})
	must(t, err, "transaction")
	got, err := s.GetUser(t.Context(), e.Tenant.ID, user.ID)
	must(t, err, "get user after commit")
	if got.Language != "fr" {
		t.Errorf("user after commit: Language = %q, want fr", got.Language)
	}
}

// testTxDuplicateKeepsTx checks that a create refused for a duplicate inside a transaction
// leaves the transaction usable: callers look the existing record up and go on.
func testTxDuplicateKeepsTx(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	dup := makeUser(e.Tenant.ID)
	dup.Email = e.User.Email
	app := makeApp(e.Tenant.ID)
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		err := tx.CreateUser(t.Context(), dup)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("CreateUser with a taken email inside a transaction: got %v, want ErrAlreadyExists", err)
		}
		got, err := tx.GetUserBy(t.Context(), e.Tenant.ID, storage.UserByEmail, dup.Email)
		if err != nil {
			return err
		}
		if got.ID != e.User.ID {
			t.Errorf("GetUserBy after the duplicate: got user %s, want %s", got.ID, e.User.ID)
		}
		return tx.CreateApplication(t.Context(), app)
	})
	must(t, err, "transaction that met a duplicate")
	_, err = s.GetApplication(t.Context(), e.Tenant.ID, app.ID)
	must(t, err, "get application written after the duplicate")
	_, err = s.GetUser(t.Context(), e.Tenant.ID, dup.ID)
	wantNotFound(t, err, "GetUser of the refused user")
}
