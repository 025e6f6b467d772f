package storagetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var userListTests = []namedTest{
	{"OrderAndPaging", testListUsersOrderAndPaging},
	{"ApplicationFilter", testListUsersAppFilter},
	{"Filters", testListUsersFilters},
	{"FilterOnApplicationLinks", testListUsersFilterOnLinks},
	{"FilterIsLiteral", testListUsersFilterIsLiteral},
	{"FilterRefused", testListUsersFilterRefused},
	{"Prefix", testListUsersPrefix},
	{"Sort", testListUsersSort},
	{"PagesAfterAKey", testListUsersAfter},
	{"KeptCounts", testListUsersKeptCounts},
	{"PrefixBounds", testListUsersPrefixBounds},
	{"CountUpTo", testListUsersCountUpTo},
}

// listUsers runs q and fails the test on error.
func listUsers(t *testing.T, s storage.Store, q model.UserQuery) ([]model.User, int) {
	t.Helper()
	list, total, err := s.ListUsers(t.Context(), q)
	must(t, err, "list users")
	return list, total
}

func testListUsersOrderAndPaging(t *testing.T, s storage.Store) {
	tenant, other := newTenant(t, s), newTenant(t, s)
	// Created out of order, two of them in the same millisecond: the order is by creation
	// time, then by id.
	offsets := []time.Duration{3, 1, 5, 0, 4, 1, 2}
	var want []model.User
	for _, off := range offsets {
		u := makeUser(tenant.ID)
		u.CreatedAt = at(off * time.Minute)
		must(t, s.CreateUser(t.Context(), u), "create user")
		want = append(want, u)
	}
	newUser(t, s, other.ID)
	newUser(t, s, other.ID)
	slices.SortFunc(want, func(a, b model.User) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})

	all, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Limit: 100})
	if total != len(want) {
		t.Errorf("ListUsers total = %d, want %d", total, len(want))
	}
	wantList(t, "ListUsers", all, want)

	var paged []model.User
	for offset := 0; offset < len(want); offset += 3 {
		page, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Offset: offset, Limit: 3})
		if total != len(want) {
			t.Errorf("ListUsers page at %d: total = %d, want %d", offset, total, len(want))
		}
		if wantLen := min(3, len(want)-offset); len(page) != wantLen {
			t.Errorf("ListUsers page at %d: %d users, want %d", offset, len(page), wantLen)
		}
		paged = append(paged, page...)
	}
	wantIDs(t, "ListUsers pages put together", paged, idsOf(want)...)

	past, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Offset: 10, Limit: 3})
	if len(past) != 0 || total != len(want) {
		t.Errorf("ListUsers past the end: got %v and total %d, want none and total %d", idsOf(past), total, len(want))
	}
	empty, total := listUsers(t, s, model.UserQuery{TenantID: newTenant(t, s).ID, Limit: 10})
	if len(empty) != 0 || total != 0 {
		t.Errorf("ListUsers of a tenant without users: got %v and total %d", idsOf(empty), total)
	}
}

func testListUsersAppFilter(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	otherApp := newApp(t, s, e.Tenant.ID)
	linked := []model.User{e.User}
	for i := range 3 {
		u := makeUser(e.Tenant.ID)
		u.CreatedAt = at(time.Duration(i+1) * time.Minute)
		must(t, s.CreateUser(t.Context(), u), "create user")
		if i != 1 {
			linked = append(linked, u)
		} else {
			must(t, s.LinkUser(t.Context(), model.AppUser{TenantID: e.Tenant.ID, AppID: otherApp.ID, UserID: u.ID, CreatedAt: base}), "link to other app")
		}
	}
	for _, u := range linked {
		must(t, s.LinkUser(t.Context(), model.AppUser{TenantID: e.Tenant.ID, AppID: e.App.ID, UserID: u.ID, CreatedAt: base}), "link user")
	}
	// Linking one user to both applications must not list them twice.
	must(t, s.LinkUser(t.Context(), model.AppUser{TenantID: e.Tenant.ID, AppID: otherApp.ID, UserID: e.User.ID, CreatedAt: base}), "link to other app")

	got, total := listUsers(t, s, model.UserQuery{TenantID: e.Tenant.ID, AppID: e.App.ID, Limit: 10})
	if total != len(linked) {
		t.Errorf("ListUsers of an application: total = %d, want %d", total, len(linked))
	}
	wantList(t, "ListUsers of an application", got, linked)

	got, total = listUsers(t, s, model.UserQuery{TenantID: e.Tenant.ID, AppID: e.App.ID, Offset: 1, Limit: 1})
	if total != len(linked) {
		t.Errorf("ListUsers of an application, second page: total = %d, want %d", total, len(linked))
	}
	wantIDs(t, "ListUsers of an application, second page", got, linked[1].ID)
}
