package storagetest

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var appUserTests = []namedTest{
	{"RoundTrip", testAppUserRoundTrip},
	{"LinkTwiceKeepsFirst", testAppUserLinkTwice},
	{"GetMissing", testAppUserGetMissing},
	{"OtherTenant", testAppUserOtherTenant},
	{"Update", testAppUserUpdate},
	{"UpdateRefused", testAppUserUpdateRefused},
	{"Unlink", testAppUserUnlink},
	{"UserAndLink", testUserAndLink},
	{"List", testAppUserList},
	{"Adopted", testAppUserAdopted},
}

// testAppUserAdopted checks that a link's Adopted flag is kept and read back by every read.
func testAppUserAdopted(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	want := makeAppUser(e)
	want.Adopted = true
	must(t, s.LinkUser(ctx, want), "link user")
	got, err := s.GetAppUser(ctx, e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "GetAppUser of an adopted link", got, want)
	_, link, linked, err := s.GetUserAndLink(ctx, e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get user and link")
	if !linked || !link.Adopted {
		t.Errorf("GetUserAndLink: linked %v, adopted %v; want both", linked, link.Adopted)
	}
	list, err := s.ListAppUsers(ctx, e.Tenant.ID, e.App.ID, []string{e.User.ID})
	must(t, err, "list app users")
	if len(list) != 1 || !list[0].Adopted {
		t.Errorf("ListAppUsers: %+v; want the adopted link", list)
	}
}

// testAppUserList checks ListAppUsers: the links of the named users to the named application
// only, across batches, and none for an empty list.
func testAppUserList(t *testing.T, s storage.Store) {
	ctx := t.Context()
	e := newEnv(t, s)
	other := newApp(t, s, e.Tenant.ID)
	want := map[string]model.AppUser{}
	var ids []string
	for i := range 230 {
		u := newUser(t, s, e.Tenant.ID)
		ids = append(ids, u.ID)
		if i%3 == 0 {
			continue // not linked
		}
		l := model.AppUser{TenantID: e.Tenant.ID, AppID: e.App.ID, UserID: u.ID, CreatedAt: base,
			CustomAppData: json.RawMessage(`{"n":` + strconv.Itoa(i) + `}`)}
		must(t, s.LinkUser(ctx, l), "link user")
		want[u.ID] = l
		if i%5 == 0 {
			// Linked to another application too: that link is not this one's.
			must(t, s.LinkUser(ctx, model.AppUser{TenantID: e.Tenant.ID, AppID: other.ID, UserID: u.ID, CreatedAt: base}), "link user elsewhere")
		}
	}
	got, err := s.ListAppUsers(ctx, e.Tenant.ID, e.App.ID, ids)
	must(t, err, "list app users")
	if len(got) != len(want) {
		t.Fatalf("ListAppUsers returned %d links, want %d", len(got), len(want))
	}
	for _, l := range got {
		wantEqual(t, "link of "+l.UserID, l, want[l.UserID])
	}
	got, err = s.ListAppUsers(ctx, newTenant(t, s).ID, e.App.ID, ids)
	must(t, err, "list app users of another tenant")
	if len(got) != 0 {
		t.Errorf("another tenant sees %d links", len(got))
	}
	got, err = s.ListAppUsers(ctx, e.Tenant.ID, e.App.ID, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ListAppUsers of no users = %v, %v; want an empty list", got, err)
	}
}

func testAppUserRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := makeAppUser(e)
	must(t, s.LinkUser(t.Context(), want), "link user")
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "GetAppUser", got, want)
}

func testAppUserLinkTwice(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	first := makeAppUser(e)
	must(t, s.LinkUser(t.Context(), first), "link user")
	second := first
	second.CustomAppData = json.RawMessage(`{"role":"viewer"}`)
	second.CreatedAt = at(oneDay)
	must(t, s.LinkUser(t.Context(), second), "link the same user again")
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "link after linking twice", got, first)
}

func testAppUserGetMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	_, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetAppUser of an unlinked user")
	err = s.UpdateAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID, func(l model.AppUser) (model.AppUser, error) {
		return l, nil
	})
	wantNotFound(t, err, "UpdateAppUser of an unlinked user")
	wantNotFound(t, s.UnlinkUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID), "UnlinkUser of an unlinked user")
}

func testAppUserOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	link := makeAppUser(e)
	must(t, s.LinkUser(t.Context(), link), "link user")
	intruder := newTenant(t, s)
	_, err := s.GetAppUser(t.Context(), intruder.ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetAppUser under another tenant")
	err = s.UpdateAppUser(t.Context(), intruder.ID, e.App.ID, e.User.ID, func(l model.AppUser) (model.AppUser, error) {
		l.CustomAppData = json.RawMessage(`{"role":"hijacked"}`)
		return l, nil
	})
	wantNotFound(t, err, "UpdateAppUser under another tenant")
	wantNotFound(t, s.UnlinkUser(t.Context(), intruder.ID, e.App.ID, e.User.ID), "UnlinkUser under another tenant")
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "link after another tenant's update and unlink", got, link)
}

func testAppUserUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := makeAppUser(e)
	must(t, s.LinkUser(t.Context(), orig), "link user")
	want := orig
	want.CustomAppData = json.RawMessage(`{"role":"owner","flags":[1,2]}`)
	want.ExternalAccountID = "acct-renamed"
	var seen model.AppUser
	err := s.UpdateAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID, func(cur model.AppUser) (model.AppUser, error) {
		seen = cur
		return want, nil
	})
	must(t, err, "update app user")
	wantEqual(t, "link seen by the updater", seen, orig)
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "link after update", got, want)
}

func testAppUserUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	orig := makeAppUser(e)
	must(t, s.LinkUser(t.Context(), orig), "link user")
	err := s.UpdateAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID, func(cur model.AppUser) (model.AppUser, error) {
		cur.CustomAppData = json.RawMessage(`{"changed":true}`)
		return cur, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateAppUser with a failing updater: got %v, want the updater's error", err)
	}
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "link after a refused update", got, orig)
}

func testAppUserUnlink(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	must(t, s.LinkUser(t.Context(), makeAppUser(e)), "link user")
	other := newApp(t, s, e.Tenant.ID)
	otherLink := makeAppUser(e)
	otherLink.AppID = other.ID
	must(t, s.LinkUser(t.Context(), otherLink), "link user to the other application")

	must(t, s.UnlinkUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID), "unlink user")
	_, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	wantNotFound(t, err, "GetAppUser after unlink")
	wantNotFound(t, s.UnlinkUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID), "second UnlinkUser")
	_, err = s.GetUser(t.Context(), e.Tenant.ID, e.User.ID)
	must(t, err, "get the unlinked user")
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, other.ID, e.User.ID)
	must(t, err, "get the other application's link")
	wantEqual(t, "other application's link", got, otherLink)
}
