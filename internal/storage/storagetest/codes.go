package storagetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var codeTests = []namedTest{
	{"RoundTrip", testCodeRoundTrip},
	{"GetMissing", testCodeGetMissing},
	{"OtherTenant", testCodeOtherTenant},
	{"Update", testCodeUpdate},
	{"UpdateRefused", testCodeUpdateRefused},
	{"LatestCode", testLatestCode},
	{"LatestCodeScope", testLatestCodeScope},
	{"SpendCodes", testSpendCodes},
	{"ConsumeCode", testConsumeCode},
	{"Lockouts", testLockouts},
	{"LockoutScope", testLockoutScope},
	{"ActiveLockout", testActiveLockout},
	{"CodeAttempt", testCodeAttempt},
	{"CodeAttemptUser", testCodeAttemptUser},
	{"CodeWithUser", testCodeWithUser},
	{"FailCode", testFailCode},
}

func testCodeRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newCode(t, s, makeCode(e))
	got, err := s.GetCode(t.Context(), e.Tenant.ID, want.ID)
	must(t, err, "get code")
	wantEqual(t, "GetCode", got, want)

	// A sign-up link code: no user yet, already spent.
	signup := makeCode(e)
	signup.UserID = ""
	signup.Purpose, signup.Channel = model.PurposeMagicLink, model.ChannelDirect
	signup.Failures = 0
	signup.ApprovalData, signup.Payload = nil, nil
	signup.ConsumedAt = ptr(at(time.Minute))
	newCode(t, s, signup)
	got, err = s.GetCode(t.Context(), e.Tenant.ID, signup.ID)
	must(t, err, "get sign-up code")
	wantEqual(t, "GetCode of a sign-up code", got, signup)
}

func testCodeGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newCode(t, s, makeCode(e))
	_, err := s.GetCode(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetCode of a missing id")
	err = s.UpdateCode(t.Context(), e.Tenant.ID, model.NewID(), func(c model.OneTimeCode) (model.OneTimeCode, error) {
		return c, nil
	})
	wantNotFound(t, err, "UpdateCode of a missing id")
}

func testCodeOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	c := newCode(t, s, makeCode(e))
	intruder := newTenant(t, s)
	_, err := s.GetCode(t.Context(), intruder.ID, c.ID)
	wantNotFound(t, err, "GetCode under another tenant")
	err = s.UpdateCode(t.Context(), intruder.ID, c.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		cur.ConsumedAt = ptr(base)
		return cur, nil
	})
	wantNotFound(t, err, "UpdateCode under another tenant")
	_, err = s.LatestCode(t.Context(), intruder.ID, c.AppID, c.Purpose, c.Identifier)
	wantNotFound(t, err, "LatestCode under another tenant")
	n, err := s.SpendCodes(t.Context(), intruder.ID, c.AppID, c.Purpose, c.Identifier, base)
	must(t, err, "spend codes under another tenant")
	if n != 0 {
		t.Errorf("SpendCodes under another tenant spent %d codes, want 0", n)
	}
	got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
	must(t, err, "get code")
	wantEqual(t, "code after another tenant's update and spend", got, c)
}

func testCodeUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := newCode(t, s, makeCode(e))
	want := orig
	want.Failures = 3
	want.ApprovalData = json.RawMessage(`{"payee":"Other GmbH","amount":"1.00"}`)
	want.Payload = json.RawMessage(`{"challenge":"bmV3","uv":false}`)
	want.ConsumedAt = ptr(at(2 * time.Minute))
	var seen model.OneTimeCode
	err := s.UpdateCode(t.Context(), e.Tenant.ID, orig.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update code")
	wantEqual(t, "code seen by the updater", seen, orig)
	got, err := s.GetCode(t.Context(), e.Tenant.ID, orig.ID)
	must(t, err, "get code")
	wantEqual(t, "code after update", got, want)
}

func testCodeUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := newCode(t, s, makeCode(e))
	err := s.UpdateCode(t.Context(), e.Tenant.ID, orig.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		cur.Failures++
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateCode with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetCode(t.Context(), e.Tenant.ID, orig.ID)
	must(t, err, "get code")
	wantEqual(t, "code after a refused update", got, orig)
}

// codesAt creates one code of e per offset from base, oldest first.
func codesAt(t *testing.T, s storage.Store, e env, offsets ...time.Duration) []model.OneTimeCode {
	t.Helper()
	var out []model.OneTimeCode
	for _, off := range offsets {
		c := makeCode(e)
		c.CreatedAt = at(off)
		c.ExpiresAt = at(off + 5*time.Minute)
		out = append(out, newCode(t, s, c))
	}
	return out
}

func testLatestCode(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ident := e.User.Email
	_, err := s.LatestCode(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, ident)
	wantNotFound(t, err, "LatestCode without codes")

	// Expired codes count: expiry is the caller's concern.
	codes := codesAt(t, s, e, -3*time.Hour, -2*time.Hour, -time.Hour)
	got, err := s.LatestCode(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, ident)
	must(t, err, "latest code")
	wantEqual(t, "LatestCode", got, codes[2])

	// Once the newest is spent, the newest unspent one is returned.
	err = s.UpdateCode(t.Context(), e.Tenant.ID, codes[2].ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
		cur.ConsumedAt = ptr(base)
		return cur, nil
	})
	must(t, err, "spend newest code")
	got, err = s.LatestCode(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, ident)
	must(t, err, "latest code")
	wantEqual(t, "LatestCode after the newest was spent", got, codes[1])
}

func testLatestCodeScope(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := codesAt(t, s, e, 0)[0]
	// Newer codes that differ in application, purpose or identifier do not count.
	otherApp := makeCode(e)
	otherApp.AppID = newApp(t, s, e.Tenant.ID).ID
	otherPurpose := makeCode(e)
	otherPurpose.Purpose = model.PurposeMagicLink
	otherIdentifier := makeCode(e)
	otherIdentifier.Identifier = "someone-else@example.com"
	for _, c := range []model.OneTimeCode{otherApp, otherPurpose, otherIdentifier} {
		c.CreatedAt = at(time.Minute)
		newCode(t, s, c)
	}
	got, err := s.LatestCode(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, want.Identifier)
	must(t, err, "latest code")
	wantEqual(t, "LatestCode among other scopes' codes", got, want)
}

func testSpendCodes(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	codes := codesAt(t, s, e, -3*time.Minute, -2*time.Minute, -time.Minute)
	spentBefore := codes[0]
	spentBefore.ConsumedAt = ptr(at(-150 * time.Second))
	must(t, s.UpdateCode(t.Context(), e.Tenant.ID, spentBefore.ID, func(model.OneTimeCode) (model.OneTimeCode, error) {
		return spentBefore, nil
	}), "spend oldest code")
	otherPurpose := makeCode(e)
	otherPurpose.Purpose = model.PurposeMagicLink
	newCode(t, s, otherPurpose)
	otherIdentifier := makeCode(e)
	otherIdentifier.Identifier = "someone-else@example.com"
	newCode(t, s, otherIdentifier)

	now := at(time.Second)
	n, err := s.SpendCodes(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, e.User.Email, now)
	must(t, err, "spend codes")
	if n != 2 {
		t.Errorf("SpendCodes returned %d, want 2", n)
	}
	_, err = s.LatestCode(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, e.User.Email)
	wantNotFound(t, err, "LatestCode after SpendCodes")

	for i, c := range codes {
		got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
		must(t, err, "get code")
		want := c
		want.ConsumedAt = ptr(now)
		if i == 0 {
			want = spentBefore // an already spent code keeps its time
		}
		wantEqual(t, "code after SpendCodes", got, want)
	}
	for _, c := range []model.OneTimeCode{otherPurpose, otherIdentifier} {
		got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
		must(t, err, "get code")
		wantEqual(t, "code of another purpose or identifier after SpendCodes", got, c)
	}
	n, err = s.SpendCodes(t.Context(), e.Tenant.ID, e.App.ID, model.PurposeOTP, e.User.Email, now)
	must(t, err, "spend codes again")
	if n != 0 {
		t.Errorf("second SpendCodes returned %d, want 0", n)
	}
}

func testLockouts(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	key := "otp:email:" + e.User.Email
	_, err := s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
	wantNotFound(t, err, "GetLockout without a lockout")
	wantNotFound(t, s.DeleteLockout(t.Context(), e.Tenant.ID, e.App.ID, key), "DeleteLockout without a lockout")

	want := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: key, Until: at(15 * time.Minute)}
	must(t, s.PutLockout(t.Context(), want), "put lockout")
	got, err := s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
	must(t, err, "get lockout")
	wantEqual(t, "GetLockout", got, want)

	want.Until = at(-time.Minute) // replaced by an expired one: still returned
	must(t, s.PutLockout(t.Context(), want), "replace lockout")
	got, err = s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
	must(t, err, "get replaced lockout")
	wantEqual(t, "GetLockout after replace", got, want)

	must(t, s.DeleteLockout(t.Context(), e.Tenant.ID, e.App.ID, key), "delete lockout")
	_, err = s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
	wantNotFound(t, err, "GetLockout after delete")
}

func testLockoutScope(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	key := "otp:email:" + e.User.Email
	l := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: key, Until: at(time.Hour)}
	must(t, s.PutLockout(t.Context(), l), "put lockout")
	otherApp := newApp(t, s, e.Tenant.ID)
	intruder := newTenant(t, s)

	_, err := s.GetLockout(t.Context(), e.Tenant.ID, otherApp.ID, key)
	wantNotFound(t, err, "GetLockout of another application")
	_, err = s.GetLockout(t.Context(), intruder.ID, e.App.ID, key)
	wantNotFound(t, err, "GetLockout under another tenant")
	_, err = s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, "otp:email:other@example.com")
	wantNotFound(t, err, "GetLockout of another key")
	wantNotFound(t, s.DeleteLockout(t.Context(), intruder.ID, e.App.ID, key), "DeleteLockout under another tenant")

	// The same key in another application is a separate lockout.
	other := model.Lockout{TenantID: e.Tenant.ID, AppID: otherApp.ID, Key: key, Until: at(2 * time.Hour)}
	must(t, s.PutLockout(t.Context(), other), "put lockout in the other application")
	got, err := s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
	must(t, err, "get lockout")
	wantEqual(t, "first application's lockout", got, l)
	got, err = s.GetLockout(t.Context(), e.Tenant.ID, otherApp.ID, key)
	must(t, err, "get lockout of the other application")
	wantEqual(t, "other application's lockout", got, other)
}

// testConsumeCode checks that ConsumeCode spends an unspent code once, changes nothing else,
// and refuses spent, missing and other tenants' codes.
func testConsumeCode(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	c := makeCode(e)
	c.ConsumedAt = nil
	newCode(t, s, c)
	other := newTenant(t, s)
	if ok, err := s.ConsumeCode(ctx, other.ID, c.ID, at(time.Second)); err != nil || ok {
		t.Fatalf("ConsumeCode through another tenant = %v, %v; want false", ok, err)
	}
	if ok, err := s.ConsumeCode(ctx, e.Tenant.ID, model.NewID(), at(time.Second)); err != nil || ok {
		t.Fatalf("ConsumeCode of a missing code = %v, %v; want false", ok, err)
	}
	if ok, err := s.ConsumeCode(ctx, e.Tenant.ID, c.ID, at(time.Second)); err != nil || !ok {
		t.Fatalf("ConsumeCode of an unspent code = %v, %v; want true", ok, err)
	}
	got, err := s.GetCode(ctx, e.Tenant.ID, c.ID)
	must(t, err, "get code")
	want := c
	want.ConsumedAt = ptr(at(time.Second))
	wantEqual(t, "code after ConsumeCode", got, want)
	if ok, err := s.ConsumeCode(ctx, e.Tenant.ID, c.ID, at(2*time.Second)); err != nil || ok {
		t.Fatalf("second ConsumeCode = %v, %v; want false", ok, err)
	}
	got, err = s.GetCode(ctx, e.Tenant.ID, c.ID)
	must(t, err, "get code")
	wantEqual(t, "code after a second ConsumeCode", got, want)
}

// testActiveLockout checks that ActiveLockout finds, of several keys, the lockout in force that
// ends last, and nothing of other keys, applications, tenants or ended lockouts.
func testActiveLockout(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	user, ident, ended := "otp:user:"+e.User.ID, "otp:email:"+e.User.Email, "otp:email:old@example.com"
	now := at(time.Hour)
	_, err := s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now, user, ident)
	wantNotFound(t, err, "ActiveLockout without lockouts")
	_, err = s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now)
	wantNotFound(t, err, "ActiveLockout of no keys")

	short := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: ident, Until: now.Add(time.Minute)}
	long := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: user, Until: now.Add(time.Hour)}
	over := model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: ended, Until: now}
	for _, l := range []model.Lockout{short, long, over} {
		must(t, s.PutLockout(ctx, l), "put lockout")
	}
	got, err := s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now, ident, user)
	must(t, err, "active lockout of both keys")
	wantEqual(t, "ActiveLockout of both keys", got, long)
	got, err = s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now, ident)
	must(t, err, "active lockout of one key")
	wantEqual(t, "ActiveLockout of the identifier", got, short)
	_, err = s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now, ended)
	wantNotFound(t, err, "ActiveLockout of a lockout that ended at now")
	_, err = s.ActiveLockout(ctx, e.Tenant.ID, e.App.ID, now.Add(2*time.Hour), ident, user)
	wantNotFound(t, err, "ActiveLockout after every lockout ended")
	_, err = s.ActiveLockout(ctx, e.Tenant.ID, newApp(t, s, e.Tenant.ID).ID, now, ident, user)
	wantNotFound(t, err, "ActiveLockout of another application")
	_, err = s.ActiveLockout(ctx, newTenant(t, s).ID, e.App.ID, now, ident, user)
	wantNotFound(t, err, "ActiveLockout under another tenant")
}
