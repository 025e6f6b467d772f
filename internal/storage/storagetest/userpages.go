package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var errRolledBack = errors.New("rolled back on purpose")

// pagedUsers are users whose orders have ties and gaps: two created in the same millisecond,
// some without an email, a phone number or a last login.
func pagedUsers(t *testing.T, s storage.Store) model.Tenant {
	t.Helper()
	tenant := newTenant(t, s)
	for i, off := range []time.Duration{3, 1, 5, 0, 4, 1, 2} {
		u := model.User{ID: model.NewID(), TenantID: tenant.ID, Status: model.UserActive, CreatedAt: at(off * time.Minute)}
		u.UpdatedAt = u.CreatedAt
		if i%3 != 0 {
			u.Email = string(rune('a'+i)) + "@example.com"
		}
		if i%2 == 0 {
			u.PhoneNumber = newPhone()
			u.LastAuthAt = ptr(at(time.Duration(10-i) * time.Minute))
		}
		must(t, s.CreateUser(t.Context(), u), "create user")
	}
	return tenant
}

// testListUsersAfter checks that pages started after the last user of the page before (a
// keyset cursor) put together are the whole list, in every order and direction.
func testListUsersAfter(t *testing.T, s storage.Store) {
	tenant := pagedUsers(t, s)
	for _, sort := range []string{"", model.UserSortEmail, model.UserSortPhone, model.UserSortLastAuth} {
		for _, desc := range []bool{false, true} {
			q := model.UserQuery{TenantID: tenant.ID, Sort: sort, Desc: desc, Limit: 100}
			all, _ := listUsers(t, s, q)
			if len(all) != 7 {
				t.Fatalf("sort %q desc=%v: %d users, want 7", sort, desc, len(all))
			}
			var paged []string
			q.Limit = 2
			for range 10 {
				page, total := listUsers(t, s, q)
				if total != 7 {
					t.Errorf("sort %q desc=%v after %v: total %d, want 7 (the total counts every page)", sort, desc, q.After, total)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, idsOf(page)...)
				key := model.KeyOf(page[len(page)-1], sort)
				q.After = &key
				q.Offset = 5 // ignored after a key
			}
			if want := idsOf(all); !slices.Equal(paged, want) {
				t.Errorf("sort %q desc=%v: pages after keys give %v, want %v", sort, desc, paged, want)
			}
		}
	}
}

// testListUsersKeptCounts checks the totals of unfiltered lists, which the store keeps rather
// than counts, through everything that adds or removes a user or a link.
func testListUsersKeptCounts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	tenant, other := newTenant(t, s), newTenant(t, s)
	app, app2 := newApp(t, s, tenant.ID), newApp(t, s, tenant.ID)
	want := func(what string, appID string, n int) {
		t.Helper()
		q := model.UserQuery{TenantID: tenant.ID, AppID: appID}
		_, total := listUsers(t, s, q)
		count, err := s.CountUsers(ctx, q)
		must(t, err, "count users")
		if total != n || count != n {
			t.Errorf("%s: ListUsers total %d, CountUsers %d, want %d", what, total, count, n)
		}
	}
	want("no users", "", 0)
	want("no users of the application", app.ID, 0)
	var users []model.User
	for range 4 {
		users = append(users, newUser(t, s, tenant.ID))
	}
	newUser(t, s, other.ID)
	link := func(appID string, u model.User) {
		must(t, s.LinkUser(ctx, model.AppUser{TenantID: tenant.ID, AppID: appID, UserID: u.ID, CreatedAt: base}), "link user")
	}
	link(app.ID, users[0])
	link(app.ID, users[1])
	link(app.ID, users[1]) // linking again is not a second link
	link(app.ID, users[2])
	link(app2.ID, users[2])
	want("four users", "", 4)
	want("three linked", app.ID, 3)
	want("one linked to the second application", app2.ID, 1)
	must(t, s.UnlinkUser(ctx, tenant.ID, app.ID, users[0].ID), "unlink user")
	want("one unlinked", app.ID, 2)
	must(t, s.DeleteUser(ctx, tenant.ID, users[2].ID), "delete user")
	want("one deleted", "", 3)
	want("the deleted user's link gone", app.ID, 1)
	want("the deleted user's other link gone", app2.ID, 0)
	// A transaction that fails counts nothing.
	err := s.InTx(ctx, func(tx storage.Store) error {
		must(t, tx.CreateUser(ctx, makeUser(tenant.ID)), "create user in a transaction")
		return errRolledBack
	})
	if err != errRolledBack {
		t.Fatalf("transaction: %v, want the rollback error", err)
	}
	want("a rolled back creation", "", 3)
	_, total := listUsers(t, s, model.UserQuery{TenantID: other.ID})
	if total != 1 {
		t.Errorf("the other tenant's total %d, want 1", total)
	}
}

// testListUsersPrefixBounds checks that a prefix matches exactly the values that begin with
// it, at the edges of the range a prefix search reads: the next character, a longer value,
// and characters beyond ASCII.
func testListUsersPrefixBounds(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	ids := map[string]string{}
	for _, email := range []string{"ab@x.example", "abz@x.example", "ac@x.example", "a@x.example", "aé@x.example", "b@x.example"} {
		u := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: email, Status: model.UserActive, CreatedAt: base, UpdatedAt: base}
		must(t, s.CreateUser(t.Context(), u), "create user")
		ids[u.ID] = email
	}
	for prefix, want := range map[string][]string{
		"ab":          {"ab@x.example", "abz@x.example"},
		"a":           {"a@x.example", "ab@x.example", "abz@x.example", "ac@x.example", "aé@x.example"},
		"aé":          {"aé@x.example"},
		"abz":         {"abz@x.example"},
		"b@":          {"b@x.example"},
		"c":           nil,
		"a\U0010FFFF": nil,
	} {
		var got []string
		for _, id := range matching(t, s, model.UserQuery{TenantID: tenant.ID, Prefix: prefix}) {
			got = append(got, ids[id])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("prefix %q: got %v, want %v", prefix, got, want)
		}
		f := compare(model.UserAttrEmail, model.FilterStartsWith, prefix)
		got = got[:0]
		for _, id := range matching(t, s, model.UserQuery{TenantID: tenant.ID, Filter: &f}) {
			got = append(got, ids[id])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("email sw %q: got %v, want %v", prefix, got, want)
		}
	}
}

// testListUsersCountUpTo checks that a bounded count stops at its bound, leaves the page
// alone, and does not bound an unfiltered total.
func testListUsersCountUpTo(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	for range 5 {
		newUser(t, s, tenant.ID)
	}
	active := compare(model.UserAttrStatus, model.FilterEqual, model.UserActive)
	q := model.UserQuery{TenantID: tenant.ID, Filter: &active, CountUpTo: 3, Limit: 100}
	list, total := listUsers(t, s, q)
	if total != 3 || len(list) != 5 {
		t.Errorf("filtered, counted up to 3: total %d with %d users, want 3 with 5", total, len(list))
	}
	q.CountUpTo = 10
	if _, total := listUsers(t, s, q); total != 5 {
		t.Errorf("filtered, counted up to 10: total %d, want 5", total)
	}
	q.Filter, q.CountUpTo = nil, 3
	if _, total := listUsers(t, s, q); total != 5 {
		t.Errorf("unfiltered, counted up to 3: total %d, want the kept 5", total)
	}
}
