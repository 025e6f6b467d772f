package storagetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// filterUsers are the only three users of a tenant, differing in every attribute a filter
// compares; ada and grace are linked to app, alan to another application.
type filterUsers struct {
	tenant           model.Tenant
	app, other       model.Application
	ada, grace, alan model.User
}

func newFilterUsers(t *testing.T, s storage.Store) filterUsers {
	t.Helper()
	f := filterUsers{tenant: newTenant(t, s)}
	f.app, f.other = newApp(t, s, f.tenant.ID), newApp(t, s, f.tenant.ID)
	mk := func(edit func(*model.User)) model.User {
		u := model.User{ID: model.NewID(), TenantID: f.tenant.ID, Status: model.UserActive}
		edit(&u)
		must(t, s.CreateUser(t.Context(), u), "create user")
		return u
	}
	f.ada = mk(func(u *model.User) {
		u.Email, u.PhoneNumber, u.Username, u.ExternalUserID = "ada@example.com", "+14155550101", "ada", "ext-ada"
		u.Name = model.Name{Title: "Countess", FirstName: "Ada", LastName: "Lovelace"}
		u.Birthday = "1815-12-10"
		u.CreatedAt, u.UpdatedAt, u.LastAuthAt = at(time.Minute), at(5*time.Minute), ptr(at(10*time.Minute))
		u.SecondaryEmails, u.SecondaryPhones = []string{"ada@old.example"}, []string{"+441234567890"}
		u.CustomData = json.RawMessage(`{"plan":"gold","age":36,"vip":true,"home":{"city":"London"}}`)
	})
	f.grace = mk(func(u *model.User) {
		u.Email, u.Username = "grace@navy.example", "grace"
		u.Name = model.Name{FirstName: "Grace", LastName: "Hopper"}
		u.Birthday, u.Status = "1906-12-09", model.UserDisabled
		u.CreatedAt, u.UpdatedAt = at(2*time.Minute), at(2*time.Minute)
		u.CustomData = json.RawMessage(`{"plan":"silver","age":85.5,"vip":false,"note":""}`)
	})
	f.alan = mk(func(u *model.User) {
		u.PhoneNumber, u.Username = "+14155550199", "alan_t"
		u.Name = model.Name{FirstName: "Alan", LastName: "Turing"}
		u.Status = model.UserPending
		u.CreatedAt, u.UpdatedAt, u.LastAuthAt = at(3*time.Minute), at(3*time.Minute), ptr(at(20*time.Minute))
	})
	link := func(appID string, u model.User, account, data string) {
		l := model.AppUser{TenantID: f.tenant.ID, AppID: appID, UserID: u.ID, CreatedAt: base, ExternalAccountID: account}
		if data != "" {
			l.CustomAppData = json.RawMessage(data)
		}
		must(t, s.LinkUser(t.Context(), l), "link user")
	}
	link(f.app.ID, f.ada, "acct-1", `{"tier":"a","score":10}`)
	link(f.app.ID, f.grace, "acct-2", `{"tier":"b","score":3.5}`)
	link(f.other.ID, f.alan, "acct-9", `{"tier":"a"}`)
	return f
}

// compare is a comparison filter.
func compare(attr, op string, v any, path ...string) model.UserFilter {
	return model.UserFilter{Op: op, Attr: attr, Value: v, Path: path}
}

// matching lists the users of the tenant a filter matches, in creation order, with the total.
func matching(t *testing.T, s storage.Store, q model.UserQuery) []string {
	t.Helper()
	q.Limit = 100
	list, total, err := s.ListUsers(t.Context(), q)
	if err != nil {
		t.Errorf("ListUsers %+v: %v", q.Filter, err)
		return nil
	}
	n, err := s.CountUsers(t.Context(), q)
	must(t, err, "count users")
	if total != len(list) || n != total {
		t.Errorf("ListUsers %+v: %d users, total %d, CountUsers %d; want all equal", q.Filter, len(list), total, n)
	}
	return idsOf(list)
}

func testListUsersFilters(t *testing.T, s storage.Store) {
	f := newFilterUsers(t, s)
	ada, grace, alan := f.ada.ID, f.grace.ID, f.alan.ID
	ms := func(d time.Duration) int64 { return at(d).UnixMilli() }
	and := func(terms ...model.UserFilter) model.UserFilter {
		return model.UserFilter{Op: model.FilterAnd, Terms: terms}
	}
	or := func(terms ...model.UserFilter) model.UserFilter {
		return model.UserFilter{Op: model.FilterOr, Terms: terms}
	}
	cases := []struct {
		name   string
		filter model.UserFilter
		want   []string
	}{
		{"user_id eq", compare(model.UserAttrID, "eq", grace), []string{grace}},
		{"email eq", compare(model.UserAttrEmail, "eq", "ada@example.com"), []string{ada}},
		{"email ne matches a user without one", compare(model.UserAttrEmail, "ne", "ada@example.com"), []string{grace, alan}},
		{"email pr", compare(model.UserAttrEmail, "pr", nil), []string{ada, grace}},
		{"phone sw", compare(model.UserAttrPhone, "sw", "+1415555"), []string{ada, alan}},
		{"username exact case", compare(model.UserAttrUsername, "sw", "ALAN"), nil},
		{"username eq", compare(model.UserAttrUsername, "eq", "alan_t"), []string{alan}},
		{"external_user_id eq", compare(model.UserAttrExternalUserID, "eq", "ext-ada"), []string{ada}},
		{"status eq", compare(model.UserAttrStatus, "eq", model.UserDisabled), []string{grace}},
		{"first name eq ignores case", compare(model.UserAttrFirstName, "eq", "aDA"), []string{ada}},
		{"last name sw ignores case", compare(model.UserAttrLastName, "sw", "HOP"), []string{grace}},
		{"title pr", compare(model.UserAttrNameTitle, "pr", nil), []string{ada}},
		{"middle name pr", compare(model.UserAttrMiddleName, "pr", nil), nil},
		{"created_at gt", compare(model.UserAttrCreatedAt, "gt", ms(time.Minute)), []string{grace, alan}},
		{"created_at le", compare(model.UserAttrCreatedAt, "le", ms(2*time.Minute)), []string{ada, grace}},
		{"updated_at ge", compare(model.UserAttrUpdatedAt, "ge", ms(3*time.Minute)), []string{ada, alan}},
		{"last_auth pr", compare(model.UserAttrLastAuth, "pr", nil), []string{ada, alan}},
		{"last_auth ge", compare(model.UserAttrLastAuth, "ge", ms(15*time.Minute)), []string{alan}},
		{"last_auth lt skips users without one", compare(model.UserAttrLastAuth, "lt", ms(time.Hour)), []string{ada, alan}},
		{"birthday lt", compare(model.UserAttrBirthday, "lt", "1900-01-01"), []string{ada}},
		{"birthday pr", compare(model.UserAttrBirthday, "pr", nil), []string{ada, grace}},
		{"secondary email eq", compare(model.UserAttrSecondaryEmails, "eq", "ada@old.example"), []string{ada}},
		{"secondary email ne", compare(model.UserAttrSecondaryEmails, "ne", "ada@old.example"), []string{grace, alan}},
		{"secondary phone sw", compare(model.UserAttrSecondaryPhones, "sw", "+44"), []string{ada}},
		{"secondary emails pr", compare(model.UserAttrSecondaryEmails, "pr", nil), []string{ada}},
		{"custom text", compare(model.UserAttrCustomData, "eq", "gold", "plan"), []string{ada}},
		{"custom text sw", compare(model.UserAttrCustomData, "sw", "sil", "plan"), []string{grace}},
		{"custom number gt", compare(model.UserAttrCustomData, "gt", int64(50), "age"), []string{grace}},
		{"custom number ge fraction", compare(model.UserAttrCustomData, "ge", 36.0, "age"), []string{ada, grace}},
		{"custom number eq fraction", compare(model.UserAttrCustomData, "eq", 85.5, "age"), []string{grace}},
		{"custom true", compare(model.UserAttrCustomData, "eq", true, "vip"), []string{ada}},
		{"custom false", compare(model.UserAttrCustomData, "eq", false, "vip"), []string{grace}},
		{"custom ne true", compare(model.UserAttrCustomData, "ne", true, "vip"), []string{grace, alan}},
		{"custom nested", compare(model.UserAttrCustomData, "eq", "London", "home", "city"), []string{ada}},
		{"custom pr", compare(model.UserAttrCustomData, "pr", nil, "plan"), []string{ada, grace}},
		{"custom pr skips an empty string", compare(model.UserAttrCustomData, "pr", nil, "note"), nil},
		{"custom pr of an object", compare(model.UserAttrCustomData, "pr", nil, "home"), []string{ada}},
		{"custom text is not a number", compare(model.UserAttrCustomData, "eq", int64(36), "plan"), nil},
		{"custom number is not text", compare(model.UserAttrCustomData, "eq", "36", "age"), nil},
		{"custom missing member", compare(model.UserAttrCustomData, "eq", "x", "nothing"), nil},
		{"or inside and", and(
			or(compare(model.UserAttrStatus, "eq", model.UserActive), compare(model.UserAttrStatus, "eq", model.UserPending)),
			compare(model.UserAttrFirstName, "sw", "a")), []string{ada, alan}},
		{"and inside or", or(
			and(compare(model.UserAttrStatus, "eq", model.UserDisabled), compare(model.UserAttrEmail, "pr", nil)),
			compare(model.UserAttrUsername, "eq", "ada")), []string{ada, grace}},
	}
	for _, c := range cases {
		got := matching(t, s, model.UserQuery{TenantID: f.tenant.ID, Filter: &c.filter})
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// The tenant bounds every filter.
	pr := compare(model.UserAttrCreatedAt, "pr", nil)
	if got := matching(t, s, model.UserQuery{TenantID: newTenant(t, s).ID, Filter: &pr}); len(got) != 0 {
		t.Errorf("a filter under another tenant found %v", got)
	}
}

// testListUsersFilterOnLinks checks the attributes kept on the application link: an
// application's query sees its own link only, a tenant-wide one any link.
func testListUsersFilterOnLinks(t *testing.T, s storage.Store) {
	f := newFilterUsers(t, s)
	cases := []struct {
		name   string
		appID  string
		filter model.UserFilter
		want   []string
	}{
		{"own account id", f.app.ID, compare(model.UserAttrExternalAccountID, "eq", "acct-1"), []string{f.ada.ID}},
		{"another application's account id", f.app.ID, compare(model.UserAttrExternalAccountID, "eq", "acct-9"), nil},
		{"any application's account id", "", compare(model.UserAttrExternalAccountID, "eq", "acct-9"), []string{f.alan.ID}},
		{"account id sw", "", compare(model.UserAttrExternalAccountID, "sw", "acct-"), []string{f.ada.ID, f.grace.ID, f.alan.ID}},
		{"app data number", f.app.ID, compare(model.UserAttrCustomAppData, "lt", int64(5), "score"), []string{f.grace.ID}},
		{"app data text", f.app.ID, compare(model.UserAttrCustomAppData, "eq", "a", "tier"), []string{f.ada.ID}},
		{"any application's data", "", compare(model.UserAttrCustomAppData, "eq", "a", "tier"), []string{f.ada.ID, f.alan.ID}},
		{"app data ne", f.app.ID, compare(model.UserAttrCustomAppData, "ne", "a", "tier"), []string{f.grace.ID}},
	}
	for _, c := range cases {
		got := matching(t, s, model.UserQuery{TenantID: f.tenant.ID, AppID: c.appID, Filter: &c.filter})
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// testListUsersFilterIsLiteral checks that characters special to SQL patterns and strings
// match only themselves.
func testListUsersFilterIsLiteral(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	var ids []string
	for _, email := range []string{"a_b@example.com", "axb@example.com", "100%@example.com", "o'neil@example.com"} {
		u := makeUser(tenant.ID)
		u.Email = email
		must(t, s.CreateUser(t.Context(), u), "create user")
		ids = append(ids, u.ID)
	}
	for prefix, want := range map[string][]string{
		"a_": ids[:1], "100%": ids[2:3], "%": nil, `\`: nil, "o'": ids[3:], "'": nil,
	} {
		filter := compare(model.UserAttrEmail, "sw", prefix)
		if got := matching(t, s, model.UserQuery{TenantID: tenant.ID, Filter: &filter}); !slices.Equal(got, want) {
			t.Errorf("email sw %q: got %v, want %v", prefix, got, want)
		}
	}
}

// testListUsersFilterRefused checks that a filter the store cannot run is an error, not a
// match of everyone or no one.
func testListUsersFilterRefused(t *testing.T, s storage.Store) {
	tenant := newTenant(t, s)
	newUser(t, s, tenant.ID)
	for name, f := range map[string]model.UserFilter{
		"unknown attribute":      compare("password", "eq", "x"),
		"text against a number":  compare(model.UserAttrCreatedAt, "eq", "yesterday"),
		"number against text":    compare(model.UserAttrEmail, "gt", int64(3)),
		"sw on a number":         compare(model.UserAttrCreatedAt, "sw", int64(3)),
		"unknown operator":       compare(model.UserAttrEmail, "co", "a"),
		"custom key with quotes": compare(model.UserAttrCustomData, "eq", "x", `a"b`),
		"custom without a path":  compare(model.UserAttrCustomData, "eq", "x"),
		"boolean with gt":        compare(model.UserAttrCustomData, "gt", true, "vip"),
		"empty and":              {Op: model.FilterAnd},
	} {
		if _, _, err := s.ListUsers(t.Context(), model.UserQuery{TenantID: tenant.ID, Filter: &f}); err == nil {
			t.Errorf("ListUsers with %s: no error", name)
		}
	}
}

func testListUsersPrefix(t *testing.T, s storage.Store) {
	f := newFilterUsers(t, s)
	for prefix, want := range map[string][]string{
		"ada": {f.ada.ID}, "+1415": {f.ada.ID, f.alan.ID}, "g": {f.grace.ID}, "+44": nil, "z": nil,
	} {
		if got := matching(t, s, model.UserQuery{TenantID: f.tenant.ID, Prefix: prefix}); !slices.Equal(got, want) {
			t.Errorf("prefix %q: got %v, want %v", prefix, got, want)
		}
	}
	// A prefix and a filter combine.
	active := compare(model.UserAttrStatus, "eq", model.UserActive)
	if got := matching(t, s, model.UserQuery{TenantID: f.tenant.ID, Prefix: "+1415", Filter: &active}); !slices.Equal(got, []string{f.ada.ID}) {
		t.Errorf("prefix and filter: got %v, want ada", got)
	}
}

func testListUsersSort(t *testing.T, s storage.Store) {
	f := newFilterUsers(t, s)
	ada, grace, alan := f.ada.ID, f.grace.ID, f.alan.ID
	cases := []struct {
		sort string
		desc bool
		want []string
	}{
		{"", false, []string{ada, grace, alan}},
		{model.UserSortCreatedAt, true, []string{alan, grace, ada}},
		// Users without the value come last in both directions.
		{model.UserSortEmail, false, []string{ada, grace, alan}},
		{model.UserSortEmail, true, []string{grace, ada, alan}},
		{model.UserSortPhone, false, []string{ada, alan, grace}},
		{model.UserSortPhone, true, []string{alan, ada, grace}},
		{model.UserSortLastAuth, true, []string{alan, ada, grace}},
	}
	for _, c := range cases {
		q := model.UserQuery{TenantID: f.tenant.ID, Sort: c.sort, Desc: c.desc, Limit: 100}
		list, _, err := s.ListUsers(t.Context(), q)
		must(t, err, "list users")
		if got := idsOf(list); !slices.Equal(got, c.want) {
			t.Errorf("sort %q desc=%v: got %v, want %v", c.sort, c.desc, got, c.want)
		}
	}
	// Pages of a sorted list put together are the list.
	var paged []string
	for offset := range 3 {
		page, _, err := s.ListUsers(t.Context(), model.UserQuery{TenantID: f.tenant.ID, Sort: model.UserSortEmail, Desc: true, Offset: offset, Limit: 1})
		must(t, err, "list a page")
		paged = append(paged, idsOf(page)...)
	}
	if want := []string{grace, ada, alan}; !slices.Equal(paged, want) {
		t.Errorf("sorted pages: got %v, want %v", paged, want)
	}
	if _, _, err := s.ListUsers(t.Context(), model.UserQuery{TenantID: f.tenant.ID, Sort: "password"}); err == nil {
		t.Error("ListUsers sorted by an unknown attribute: no error")
	}
}
