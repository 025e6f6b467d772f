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
	{"Search", testListUsersSearch},
	{"SearchIgnoresCase", testListUsersSearchIgnoresCase},
	{"SearchIsLiteral", testListUsersSearchIsLiteral},
	{"StatusFilter", testListUsersStatusFilter},
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

// searchUsers makes four users, each findable by one field only.
func searchUsers(t *testing.T, s storage.Store, tenantID string) (byEmail, byUsername, byFirst, byLast, byPhone model.User) {
	t.Helper()
	byEmail = makeUser(tenantID)
	byEmail.Email = "Zebra.Stripes@savanna.example"
	byUsername = makeUser(tenantID)
	byUsername.Username = "MoonWalker"
	byFirst = makeUser(tenantID)
	byFirst.Name.FirstName = "Xavierine"
	byLast = makeUser(tenantID)
	byLast.Name.LastName = "Quintessa"
	byPhone = makeUser(tenantID)
	byPhone.PhoneNumber = "+19998887777"
	for _, u := range []model.User{byEmail, byUsername, byFirst, byLast, byPhone} {
		must(t, s.CreateUser(t.Context(), u), "create user")
	}
	return byEmail, byUsername, byFirst, byLast, byPhone
}

func testListUsersSearch(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	byEmail, byUsername, byFirst, byLast, byPhone := searchUsers(t, s, tenant.ID)
	for search, want := range map[string]model.User{
		"Stripes@sav": byEmail, "oonWal": byUsername, "avierin": byFirst, "uintess": byLast, "8887777": byPhone,
	} {
		got, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Search: search, Limit: 10})
		if total != 1 {
			t.Errorf("ListUsers search %q: total = %d, want 1", search, total)
		}
		wantIDs(t, "ListUsers search "+search, got, want.ID)
	}
	got, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Search: "no-such-user", Limit: 10})
	if len(got) != 0 || total != 0 {
		t.Errorf("ListUsers search without a match: got %v and total %d", idsOf(got), total)
	}
	got, _ = listUsers(t, s, model.UserQuery{TenantID: newTenant(t, s).ID, Search: "oonWal", Limit: 10})
	if len(got) != 0 {
		t.Errorf("ListUsers search under another tenant: got %v, want none", idsOf(got))
	}
}

func testListUsersSearchIgnoresCase(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	byEmail, byUsername, byFirst, _, _ := searchUsers(t, s, tenant.ID)
	for search, want := range map[string]model.User{"zebra.stripes": byEmail, "MOONWALK": byUsername, "xAVIER": byFirst} {
		got, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Search: search, Limit: 10})
		if total != 1 {
			t.Errorf("ListUsers search %q: total = %d, want 1", search, total)
		}
		wantIDs(t, "ListUsers search "+search, got, want.ID)
	}
}

func testListUsersStatusFilter(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	statuses := []string{model.UserDisabled, model.UserPending, model.UserDisabled, model.UserActive}
	var disabled []model.User
	for i, status := range statuses {
		u := makeUser(e.Tenant.ID)
		u.Status = status
		u.CreatedAt = at(time.Duration(i+1) * time.Minute)
		must(t, s.CreateUser(t.Context(), u), "create user")
		if status == model.UserDisabled {
			disabled = append(disabled, u)
		}
	}
	got, total := listUsers(t, s, model.UserQuery{TenantID: e.Tenant.ID, Status: model.UserDisabled, Limit: 10})
	if total != len(disabled) {
		t.Errorf("ListUsers of disabled users: total = %d, want %d", total, len(disabled))
	}
	wantList(t, "ListUsers of disabled users", got, disabled)

	// Filters combine: the disabled users linked to the application.
	must(t, s.LinkUser(t.Context(), model.AppUser{TenantID: e.Tenant.ID, AppID: e.App.ID, UserID: disabled[1].ID, CreatedAt: base}), "link user")
	got, total = listUsers(t, s, model.UserQuery{TenantID: e.Tenant.ID, AppID: e.App.ID, Status: model.UserDisabled, Limit: 10})
	if total != 1 {
		t.Errorf("ListUsers of linked disabled users: total = %d, want 1", total)
	}
	wantIDs(t, "ListUsers of linked disabled users", got, disabled[1].ID)
}

// testListUsersSearchIsLiteral checks that characters special to SQL patterns match only
// themselves: the search is a substring, not a pattern.
func testListUsersSearchIsLiteral(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	searchUsers(t, s, tenant.ID)
	underscored := makeUser(tenant.ID)
	underscored.Username = "snake_case%user"
	must(t, s.CreateUser(t.Context(), underscored), "create user")
	for _, search := range []string{"_case", "e%u", "%"} {
		got, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Search: search, Limit: 10})
		if total != 1 {
			t.Errorf("ListUsers search %q: total = %d, want 1", search, total)
		}
		wantIDs(t, "ListUsers search "+search, got, underscored.ID)
	}
	got, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Search: "e_u", Limit: 10})
	if len(got) != 0 || total != 0 {
		t.Errorf("ListUsers search %q: got %v and total %d, want none", "e_u", idsOf(got), total)
	}
}
