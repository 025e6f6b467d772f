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
	// Compares what CodeAttempt read of the user with GetUserAndLink's answer.
	same := func(what string, got storage.CodeAttempt, appID, userID string) {
		t.Helper()
		u, l, linked, err := s.GetUserAndLink(ctx, e.Tenant.ID, appID, userID)
		if err != nil {
			wantNotFound(t, err, what+": GetUserAndLink")
			if got.UserFound || got.Linked || got.User.ID != "" || got.Link.UserID != "" {
				t.Errorf("%s: CodeAttempt found user %v (%q), linked %v; GetUserAndLink found none", what, got.UserFound, got.User.ID, got.Linked)
			}
			return
		}
		if !got.UserFound || got.Linked != linked {
			t.Fatalf("%s: CodeAttempt found user %v, linked %v; GetUserAndLink found them, linked %v", what, got.UserFound, got.Linked, linked)
		}
		wantEqual(t, what+": user", got.User, u)
		wantEqual(t, what+": link", got.Link, l)
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
	same("linked user", got, e.App.ID, e.User.ID)

	// The same user through an application they are not linked to.
	other := newApp(t, s, e.Tenant.ID)
	c := makeCode(e)
	c.AppID = other.ID
	newCode(t, s, c)
	got = attempt(other.ID, e.User.Email)
	if !got.Found || !got.UserFound || got.Linked || got.Link.UserID != "" {
		t.Fatalf("CodeAttempt of an unlinked user's code: code %v, user %v, linked %v, link %+v", got.Found, got.UserFound, got.Linked, got.Link)
	}
	same("unlinked user", got, other.ID, e.User.ID)

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
	same("another tenant's user", got, e.App.ID, stranger.ID)

	// The user deleted since the code was sent: the code is still found, the user not.
	must(t, s.DeleteUser(ctx, e.Tenant.ID, e.User.ID), "delete user")
	got = attempt(e.App.ID, e.User.Email)
	if !got.Found || got.Code.ID != code.ID {
		t.Fatalf("CodeAttempt after the user's deletion: code %v (%q), want %q", got.Found, got.Code.ID, code.ID)
	}
	same("deleted user", got, e.App.ID, e.User.ID)
}
