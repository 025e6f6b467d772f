package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// A store may hold a transaction's last writes back and send them together before its next
// statement or its commit (see sqlstore's batch.go). These tests write a login's records
// inside transactions and check that every column arrives, that reads in the transaction see
// them, and that an error among them rolls all of them back.
var txWriteTests = []namedTest{
	{"LoginWrites", testTxLoginWrites},
	{"ReadAfterHeldWrite", testTxReadAfterHeldWrite},
	{"MarkOfMissingUser", testTxMarkOfMissingUser},
	{"TwoOfOneTable", testTxTwoOfOneTable},
	{"SendWrites", testTxSendWrites},
}

// testTxSendWrites writes what a send ends with (earlier codes spent, the new code, its audit
// event) in a transaction: every column of the code arrives, a read in the transaction sees
// it, and a transaction that fails after them leaves neither.
func testTxSendWrites(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ctx := t.Context()
	old := newCode(t, s, makeCode(e))
	code := makeCode(e)
	code.Identifier = old.Identifier
	ev := makeAuditEvent(e.Tenant.ID, at(time.Minute))
	must(t, s.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.SpendCodes(ctx, e.Tenant.ID, code.AppID, code.Purpose, code.Identifier, at(time.Second)); err != nil {
			return err
		}
		if err := tx.CreateCode(ctx, code); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, ev)
	}), "send writes")
	got, err := s.GetCode(ctx, e.Tenant.ID, code.ID)
	must(t, err, "get code")
	wantEqual(t, "code written in a transaction", got, code)
	latest, err := s.LatestCode(ctx, e.Tenant.ID, code.AppID, code.Purpose, code.Identifier)
	must(t, err, "latest code")
	wantEqual(t, "the identifier's latest unspent code", latest.ID, code.ID)

	// Read back inside the transaction that wrote it.
	second := makeCode(e)
	must(t, s.InTx(ctx, func(tx storage.Store) error {
		if err := tx.CreateCode(ctx, second); err != nil {
			return err
		}
		got, err := tx.GetCode(ctx, e.Tenant.ID, second.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "code read in its own transaction", got, second)
		return nil
	}), "write and read")

	// Rolled back: neither the code nor the event.
	third, ev2 := makeCode(e), makeAuditEvent(e.Tenant.ID, at(2*time.Minute))
	err = s.InTx(ctx, func(tx storage.Store) error {
		if err := tx.CreateCode(ctx, third); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, ev2); err != nil {
			return err
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("failed transaction: %v", err)
	}
	if _, err := s.GetCode(ctx, e.Tenant.ID, third.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("code of a rolled back send: %v, want not found", err)
	}
}

// loginWrites are the writes a login ends with.
func loginWrites(e env) (model.Session, model.RefreshToken, model.AuditEvent) {
	sess := makeSession(e)
	rt := makeRefresh(e, sess.ID)
	ev := makeAuditEvent(e.Tenant.ID, at(time.Minute))
	ev.AppID, ev.UserID = e.App.ID, e.User.ID
	return sess, rt, ev
}

func writeLogin(tx storage.Store, t *testing.T, userID string, sess model.Session, rt model.RefreshToken, ev model.AuditEvent) error {
	ctx := t.Context()
	if err := tx.MarkLogin(ctx, sess.TenantID, userID, at(time.Minute), true, false); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return err
	}
	if err := tx.CreateRefreshToken(ctx, rt); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, ev)
}

func auditOf(t *testing.T, s storage.Store, tenantID, userID string) []model.AuditEvent {
	t.Helper()
	list, _, err := s.ListAudit(t.Context(), model.AuditQuery{TenantID: tenantID, UserID: userID, Limit: 10})
	must(t, err, "list audit")
	return list
}

func testTxLoginWrites(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	// A user whose email address and phone number are unverified: the mark verifies the one.
	e.User = makeUser(e.Tenant.ID)
	e.User.EmailVerifiedAt, e.User.PhoneVerifiedAt = nil, nil
	must(t, s.CreateUser(ctx, e.User), "create user")
	sess, rt, ev := loginWrites(e)
	must(t, s.InTx(ctx, func(tx storage.Store) error { return writeLogin(tx, t, e.User.ID, sess, rt, ev) }), "login writes")
	got, err := s.GetSession(ctx, e.Tenant.ID, sess.ID)
	must(t, err, "get session")
	wantEqual(t, "session written in a transaction", got, sess)
	gotRT, err := s.GetRefreshTokenByHash(ctx, rt.TokenHash)
	must(t, err, "get refresh token")
	wantEqual(t, "refresh token written in a transaction", gotRT, rt)
	events := auditOf(t, s, e.Tenant.ID, e.User.ID)
	if len(events) != 1 {
		t.Fatalf("%d audit events, want 1", len(events))
	}
	wantEqual(t, "audit event written in a transaction", events[0], ev)
	u, err := s.GetUser(ctx, e.Tenant.ID, e.User.ID)
	must(t, err, "get user")
	if u.LastAuthAt == nil || !u.LastAuthAt.Equal(at(time.Minute)) || u.EmailVerifiedAt == nil || !u.EmailVerifiedAt.Equal(at(time.Minute)) || u.PhoneVerifiedAt != nil {
		t.Fatalf("user after the login mark: last auth %v, email verified %v, phone verified %v", u.LastAuthAt, u.EmailVerifiedAt, u.PhoneVerifiedAt)
	}
}

func testTxReadAfterHeldWrite(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	sess, rt, _ := loginWrites(e)
	err := s.InTx(ctx, func(tx storage.Store) error {
		must(t, tx.CreateSession(ctx, sess), "create session")
		must(t, tx.CreateRefreshToken(ctx, rt), "create refresh token")
		got, err := tx.GetSession(ctx, e.Tenant.ID, sess.ID)
		must(t, err, "get session in the transaction")
		wantEqual(t, "session read in its transaction", got, sess)
		gotRT, err := tx.GetRefreshTokenByHash(ctx, rt.TokenHash)
		must(t, err, "get refresh token in the transaction")
		wantEqual(t, "refresh token read in its transaction", gotRT, rt)
		return nil
	})
	must(t, err, "transaction")
	// Written, then rolled back by the function's error: none of it stays.
	sess2, rt2, ev2 := loginWrites(e)
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx storage.Store) error {
		if err := writeLogin(tx, t, e.User.ID, sess2, rt2, ev2); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	_, err = s.GetSession(ctx, e.Tenant.ID, sess2.ID)
	wantNotFound(t, err, "session of a rolled back transaction")
	_, err = s.GetRefreshTokenByHash(ctx, rt2.TokenHash)
	wantNotFound(t, err, "refresh token of a rolled back transaction")
	if n := len(auditOf(t, s, e.Tenant.ID, e.User.ID)); n != 0 {
		t.Fatalf("%d audit events of a rolled back transaction", n)
	}
}

func testTxMarkOfMissingUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	sess, rt, ev := loginWrites(e)
	err := s.InTx(ctx, func(tx storage.Store) error { return writeLogin(tx, t, model.NewID(), sess, rt, ev) })
	wantNotFound(t, err, "login writes marking a missing user")
	_, err = s.GetSession(ctx, e.Tenant.ID, sess.ID)
	wantNotFound(t, err, "session written beside a failed login mark")
	if n := len(auditOf(t, s, e.Tenant.ID, e.User.ID)); n != 0 {
		t.Fatalf("%d audit events written beside a failed login mark", n)
	}
}

func testTxTwoOfOneTable(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	first := makeAuditEvent(e.Tenant.ID, at(time.Minute))
	second := makeAuditEvent(e.Tenant.ID, at(time.Minute))
	first.UserID, second.UserID = e.User.ID, e.User.ID
	sess := makeSession(e)
	err := s.InTx(ctx, func(tx storage.Store) error {
		for _, ev := range []model.AuditEvent{first, second} {
			if err := tx.AppendAudit(ctx, ev); err != nil {
				return err
			}
		}
		return tx.CreateSession(ctx, sess)
	})
	must(t, err, "two events in a transaction")
	events := auditOf(t, s, e.Tenant.ID, e.User.ID)
	if len(events) != 2 || events[0].ID != second.ID || events[1].ID != first.ID {
		t.Fatalf("audit events %+v, want the second then the first (newest inserted first)", events)
	}
}
