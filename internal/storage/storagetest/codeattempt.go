package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testCodeAttempt checks that CodeAttempt reads the code LatestCode would, the lockout in force
// of the identifier's key and of the key built from the code's user, and the counter of the
// code's user (or of the identifier when the code names none), in every combination.
func testCodeAttempt(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	ident := e.User.Email
	now := at(time.Hour)
	q := storage.CodeAttemptQuery{
		TenantID: e.Tenant.ID, AppID: e.App.ID, Purpose: model.PurposeOTP, Identifier: ident, Now: now,
		LockKey: "otp:email:" + ident, UserLockPrefix: "otp:user:",
		Counter: "fail:" + e.Tenant.ID + ":email:" + ident, UserCounterPrefix: "fail:" + e.Tenant.ID + ":user:",
	}
	read := func(what string) storage.CodeAttempt {
		t.Helper()
		got, err := s.CodeAttempt(ctx, q)
		must(t, err, what)
		return got
	}
	got := read("code attempt without a code")
	if got.Found || got.LockedUntil != nil || got.Failures != 0 {
		t.Fatalf("CodeAttempt without anything: %+v", got)
	}
	// No code: the identifier's key and counter still count; the user's do not.
	userLock := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: "otp:user:" + e.User.ID, Until: now.Add(time.Hour)}
	must(t, s.PutLockout(ctx, userLock), "put user lockout")
	for range 2 {
		_, _, err := s.CountHit(ctx, q.UserCounterPrefix+e.User.ID, now.Add(-time.Minute), now.Add(time.Minute))
		must(t, err, "count user failure")
	}
	_, _, err := s.CountHit(ctx, q.Counter, now.Add(-time.Minute), now.Add(time.Minute))
	must(t, err, "count identifier failure")
	got = read("code attempt without a code")
	if got.Found || got.LockedUntil != nil || got.Failures != 1 {
		t.Fatalf("CodeAttempt without a code: %+v, want the identifier's 1 failure and no lockout", got)
	}
	identLock := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: q.LockKey, Until: now.Add(time.Minute)}
	must(t, s.PutLockout(ctx, identLock), "put identifier lockout")
	got = read("code attempt without a code, identifier locked")
	if got.LockedUntil == nil || !got.LockedUntil.Equal(identLock.Until) {
		t.Fatalf("CodeAttempt of a locked identifier: %+v", got)
	}

	// A code naming the user: the user's lockout (ending last) and counter.
	codes := codesAt(t, s, e, -2*time.Hour, -time.Hour)
	latest, err := s.LatestCode(ctx, e.Tenant.ID, e.App.ID, model.PurposeOTP, ident)
	must(t, err, "latest code")
	got = read("code attempt")
	if !got.Found || got.LockedUntil == nil || !got.LockedUntil.Equal(userLock.Until) || got.Failures != 2 {
		t.Fatalf("CodeAttempt with the user's code: found %v, locked until %v, %d failures; want the user's lockout and 2 failures",
			got.Found, got.LockedUntil, got.Failures)
	}
	wantEqual(t, "CodeAttempt's code", got.Code, latest)
	wantEqual(t, "CodeAttempt's code", got.Code, codes[1])

	// Lockouts and counters that ended at now do not count; nor do other applications'.
	q.Now = now.Add(2 * time.Hour)
	got = read("code attempt after everything ended")
	if !got.Found || got.LockedUntil != nil || got.Failures != 0 {
		t.Fatalf("CodeAttempt after the lockouts and counters ended: %+v", got)
	}
	q.Now, q.AppID = now, newApp(t, s, e.Tenant.ID).ID
	got = read("code attempt of another application")
	if got.Found || got.LockedUntil != nil || got.Failures != 1 {
		t.Fatalf("CodeAttempt of another application: %+v, want only the identifier's counter", got)
	}
}

// testFailCode checks that FailCode counts wrong guesses on an unspent code, spends it when the
// count reaches the maximum, and changes nothing on a spent, missing or other tenant's code.
func testFailCode(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	c := makeCode(e)
	c.Failures, c.MaxFailures, c.ConsumedAt = 0, 2, nil
	newCode(t, s, c)
	now := at(time.Minute)
	n, maxF, ok, err := s.FailCode(ctx, e.Tenant.ID, c.ID, now)
	must(t, err, "fail code")
	if !ok || n != 1 || maxF != 2 {
		t.Fatalf("first wrong guess: %d of %d, ok %v; want 1 of 2", n, maxF, ok)
	}
	got, err := s.GetCode(ctx, e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if got.Failures != 1 || got.ConsumedAt != nil {
		t.Fatalf("after one wrong guess: %d failures, consumed %v", got.Failures, got.ConsumedAt)
	}
	_, _, ok, err = s.FailCode(ctx, newTenant(t, s).ID, c.ID, now)
	must(t, err, "fail code under another tenant")
	if ok {
		t.Fatal("FailCode counted under another tenant")
	}
	n, _, ok, err = s.FailCode(ctx, e.Tenant.ID, c.ID, now)
	must(t, err, "fail code")
	if !ok || n != 2 {
		t.Fatalf("second wrong guess: %d, ok %v; want 2", n, ok)
	}
	got, err = s.GetCode(ctx, e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if got.Failures != 2 || got.ConsumedAt == nil || !got.ConsumedAt.Equal(now) {
		t.Fatalf("after the last wrong guess: %d failures, consumed %v; want spent at %v", got.Failures, got.ConsumedAt, now)
	}
	for _, id := range []string{c.ID, model.NewID()} {
		_, _, ok, err = s.FailCode(ctx, e.Tenant.ID, id, now)
		must(t, err, "fail code of a spent or missing code")
		if ok {
			t.Fatal("FailCode counted against a spent or missing code")
		}
	}
	got, err = s.GetCode(ctx, e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if got.Failures != 2 {
		t.Fatalf("a spent code's failures moved to %d", got.Failures)
	}
}
