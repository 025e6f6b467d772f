package storagetest

import (
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testUserAndLink checks that GetUserAndLink returns the user with their link to the
// application asked for, and only that one.
func testUserAndLink(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	other := newApp(t, s, e.Tenant.ID)
	link := makeAppUser(e)
	must(t, s.LinkUser(ctx, link), "link user")

	u, got, linked, err := s.GetUserAndLink(ctx, e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get user and link")
	wantEqual(t, "user", u, e.User)
	if !linked {
		t.Fatal("linked user reported unlinked")
	}
	wantEqual(t, "link", got, link)

	// The same user seen from an application they are not linked to.
	u, got, linked, err = s.GetUserAndLink(ctx, e.Tenant.ID, other.ID, e.User.ID)
	must(t, err, "get user and link of another application")
	wantEqual(t, "user seen from another application", u, e.User)
	if linked || got.UserID != "" {
		t.Errorf("user not linked to the application: linked = %v, link = %+v", linked, got)
	}

	_, _, _, err = s.GetUserAndLink(ctx, e.Tenant.ID, e.App.ID, model.NewID())
	wantNotFound(t, err, "GetUserAndLink of a missing user")
	_, _, _, err = s.GetUserAndLink(ctx, newTenant(t, s).ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetUserAndLink through another tenant")
}
