package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testCodeAttemptUser checks that CodeAttempt reads the code's user and their link to the
// application as GetUserAndLink does: linked, unlinked, and not at all when the code names
// no user, a deleted one, or one of another tenant.
func testCodeAttemptUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	link := makeAppUser(e)
	must(t, s.LinkUser(ctx, link), "link user")
	now := at(time.Minute)
	attempt := func(appID, identifier string) storage.CodeAttempt {
		t.Helper()
		got, err := s.CodeAttempt(ctx, storage.CodeAttemptQuery{
			TenantID: e.Tenant.ID, AppID: appID, Purpose: model.PurposeOTP, Identifier: identifier, Now: now,
			LockKey: "otp:" + identifier, UserLockPrefix: "otp:user:",
			Counter: "fail:" + identifier, UserCounterPrefix: "fail:user:",
		})
		must(t, err, "code attempt")
		return got
	}
	got := attempt(e.App.ID, e.User.Email)
	if got.Found || got.UserFound {
		t.Fatalf("CodeAttempt without a code: found a code %v, a user %v", got.Found, got.UserFound)
	}

	// The user, linked to the application.
	code := newCode(t, s, makeCode(e))
	got = attempt(e.App.ID, e.User.Email)
	if !got.Found || !got.UserFound || !got.Linked {
		t.Fatalf("CodeAttempt of a linked user's code: code %v, user %v, linked %v", got.Found, got.UserFound, got.Linked)
	}
	wantEqual(t, "CodeAttempt's user", got.User, e.User)
	wantEqual(t, "CodeAttempt's link", got.Link, link)
	sameUser(t, s, e, "linked user", got.CodeUser, e.App.ID, e.User.ID)

	// The same user through an application they are not linked to.
	other := newApp(t, s, e.Tenant.ID)
	c := makeCode(e)
	c.AppID = other.ID
	newCode(t, s, c)
	got = attempt(other.ID, e.User.Email)
	if !got.Found || !got.UserFound || got.Linked || got.Link.UserID != "" {
		t.Fatalf("CodeAttempt of an unlinked user's code: code %v, user %v, linked %v, link %+v", got.Found, got.UserFound, got.Linked, got.Link)
	}
	sameUser(t, s, e, "unlinked user", got.CodeUser, other.ID, e.User.ID)

	// A sign-up code names no user.
	c = makeCode(e)
	c.UserID, c.Identifier, c.Destination = "", "new-"+e.User.Email, "new-"+e.User.Email
	newCode(t, s, c)
	got = attempt(e.App.ID, c.Identifier)
	if !got.Found || got.UserFound || got.Linked {
		t.Fatalf("CodeAttempt of a sign-up code: code %v, user %v, linked %v", got.Found, got.UserFound, got.Linked)
	}

	// A code naming a user of another tenant finds no user, as GetUserAndLink does not.
	stranger := newUser(t, s, newTenant(t, s).ID)
	c = makeCode(e)
	c.UserID, c.Identifier = stranger.ID, "stranger-"+e.User.Email
	newCode(t, s, c)
	got = attempt(e.App.ID, c.Identifier)
	if !got.Found {
		t.Fatal("CodeAttempt did not find the code naming another tenant's user")
	}
	sameUser(t, s, e, "another tenant's user", got.CodeUser, e.App.ID, stranger.ID)

	// The user deleted since the code was sent: the code is still found, the user not.
	must(t, s.DeleteUser(ctx, e.Tenant.ID, e.User.ID), "delete user")
	got = attempt(e.App.ID, e.User.Email)
	if !got.Found || got.Code.ID != code.ID {
		t.Fatalf("CodeAttempt after the user's deletion: code %v (%q), want %q", got.Found, got.Code.ID, code.ID)
	}
	sameUser(t, s, e, "deleted user", got.CodeUser, e.App.ID, e.User.ID)
}

// sameUser checks that a code's user as read with the code is what GetUserAndLink answers.
func sameUser(t *testing.T, s storage.Store, e env, what string, got storage.CodeUser, appID, userID string) {
	t.Helper()
	u, l, linked, err := s.GetUserAndLink(t.Context(), e.Tenant.ID, appID, userID)
	if err != nil {
		wantNotFound(t, err, what+": GetUserAndLink")
		if got.UserFound || got.Linked || got.User.ID != "" || got.Link.UserID != "" {
			t.Errorf("%s: found user %v (%q), linked %v; GetUserAndLink found none", what, got.UserFound, got.User.ID, got.Linked)
		}
		return
	}
	if !got.UserFound || got.Linked != linked {
		t.Fatalf("%s: found user %v, linked %v; GetUserAndLink found them, linked %v", what, got.UserFound, got.Linked, linked)
	}
	wantEqual(t, what+": user", got.User, u)
	wantEqual(t, what+": link", got.Link, l)
}

// testCodeWithUser checks that CodeWithUser reads a code by id, spent or not, with its user
// and their link to the application asked for, as GetCode and GetUserAndLink do.
func testCodeWithUser(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	link := makeAppUser(e)
	must(t, s.LinkUser(ctx, link), "link user")
	read := func(what, appID, id string) (model.OneTimeCode, storage.CodeUser) {
		t.Helper()
		code, cu, err := s.CodeWithUser(ctx, e.Tenant.ID, appID, id)
		must(t, err, what)
		want, err := s.GetCode(ctx, e.Tenant.ID, id)
		must(t, err, what+": get code")
		wantEqual(t, what+": code", code, want)
		return code, cu
	}

	code := newCode(t, s, makeCode(e))
	_, cu := read("linked user's code", e.App.ID, code.ID)
	if !cu.UserFound || !cu.Linked {
		t.Fatalf("CodeWithUser of a linked user's code: user %v, linked %v", cu.UserFound, cu.Linked)
	}
	wantEqual(t, "CodeWithUser's user", cu.User, e.User)
	wantEqual(t, "CodeWithUser's link", cu.Link, link)
	other := newApp(t, s, e.Tenant.ID)
	_, cu = read("code seen from another application", other.ID, code.ID)
	sameUser(t, s, e, "user seen from another application", cu, other.ID, e.User.ID)

	ok, err := s.ConsumeCode(ctx, e.Tenant.ID, code.ID, at(time.Minute))
	if err != nil || !ok {
		t.Fatalf("consume code: %v, %v", ok, err)
	}
	got, cu := read("spent code", e.App.ID, code.ID)
	if got.ConsumedAt == nil || !cu.UserFound {
		t.Fatalf("CodeWithUser of a spent code: consumed %v, user %v", got.ConsumedAt, cu.UserFound)
	}

	signup := makeCode(e)
	signup.UserID = ""
	newCode(t, s, signup)
	_, cu = read("sign-up code", e.App.ID, signup.ID)
	if cu.UserFound || cu.Linked {
		t.Fatalf("CodeWithUser of a sign-up code: user %v, linked %v", cu.UserFound, cu.Linked)
	}

	_, _, err = s.CodeWithUser(ctx, e.Tenant.ID, e.App.ID, model.NewID())
	wantNotFound(t, err, "CodeWithUser of a missing code")
	_, _, err = s.CodeWithUser(ctx, newTenant(t, s).ID, e.App.ID, code.ID)
	wantNotFound(t, err, "CodeWithUser through another tenant")

	must(t, s.DeleteUser(ctx, e.Tenant.ID, e.User.ID), "delete user")
	_, cu = read("deleted user's code", e.App.ID, code.ID)
	sameUser(t, s, e, "deleted user", cu, e.App.ID, e.User.ID)
}
