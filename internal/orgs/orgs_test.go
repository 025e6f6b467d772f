package orgs

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// fixture is a tenant with two applications and three users on a real SQLite store.
type fixture struct {
	svc          *Service
	store        storage.Store
	admin        model.Caller
	app, other   model.Caller // clients of the two applications
	ann, bob, cy string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, false)
}

// newFixtureOn is newFixture on PostgreSQL when postgres is true (skipped without a server).
func newFixtureOn(t *testing.T, postgres bool) *fixture {
	t.Helper()
	store := sqlstore.NewTestStore(t, postgres)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &fixture{svc: New(store, func() time.Time { return now }), store: store}
	tenant := model.Tenant{ID: model.NewID(), Name: "t-" + model.NewID(), CreatedAt: now}
	must(t, store.CreateTenant(t.Context(), tenant), "create tenant")
	for _, c := range []*model.Caller{&f.admin, &f.app, &f.other} {
		a := model.Application{ID: model.NewID(), TenantID: tenant.ID, Name: "app", CreatedAt: now, UpdatedAt: now}
		must(t, store.CreateApplication(t.Context(), a), "create application")
		*c = model.Caller{TenantID: tenant.ID, AppID: a.ID, ClientID: model.NewID()}
	}
	f.admin.Admin = true
	for _, id := range []*string{&f.ann, &f.bob, &f.cy} {
		u := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: model.NewID() + "@example.com", Status: model.UserActive,
			CreatedAt: now, UpdatedAt: now}
		must(t, store.CreateUser(t.Context(), u), "create user")
		*id = u.ID
	}
	return f
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, kind fault.Kind, code, what string) {
	t.Helper()
	fe := fault.As(err)
	if err == nil || fe.Kind != kind || (code != "" && fe.Code != code) {
		t.Errorf("%s: got %v, want a %v fault %s", what, err, kind, code)
	}
}

func TestCreateChecksAndNormalises(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme"), Domain: ptr("Acme.example"),
		Domains: &[]string{"b.example", " ACME.example "}, AppIDs: &[]string{f.app.AppID, f.app.AppID}})
	must(t, err, "create")
	if !slices.Equal(o.Domains, []string{"acme.example", "b.example"}) || !slices.Equal(o.AppIDs, []string{f.app.AppID}) || !o.Enabled {
		t.Errorf("created %+v", o)
	}
	got, err := f.svc.Get(ctx, f.admin, o.ID)
	must(t, err, "get")
	if got.Name != "Acme" || !slices.Equal(got.Domains, o.Domains) {
		t.Errorf("stored %+v", got)
	}
	_, err = f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme")})
	wantCode(t, err, fault.Conflict, "organization_already_exists", "a taken name")
	_, err = f.svc.Create(ctx, f.admin, Input{Name: ptr(" ")})
	wantCode(t, err, fault.Invalid, "", "a blank name")
	for _, d := range []string{"nodot", "a..example", "-a.example", "a b.example", "ü.example"} {
		_, err = f.svc.Create(ctx, f.admin, Input{Name: ptr("x-" + d), Domains: &[]string{d}})
		wantCode(t, err, fault.Invalid, "", "domain "+d)
	}
	_, err = f.svc.Create(ctx, f.admin, Input{Name: ptr("ghost app"), AppIDs: &[]string{model.NewID()}})
	wantCode(t, err, fault.NotFound, "application_not_found", "an unknown application")
	_, err = f.svc.Update(ctx, f.admin, o.ID, Input{AppIDs: &[]string{}})
	wantCode(t, err, fault.Invalid, "", "app_ids on update")
	// A refused create stored nothing.
	list, err := f.svc.List(ctx, f.admin, "")
	must(t, err, "list")
	if len(list) != 1 {
		t.Errorf("%d organizations after refused creates", len(list))
	}
}

func TestApps(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme")})
	must(t, err, "create")
	must(t, f.svc.AddApps(ctx, f.admin, o.ID, []string{f.other.AppID, f.app.AppID}), "add apps")
	wantCode(t, f.svc.AddApps(ctx, f.admin, o.ID, []string{model.NewID()}), fault.NotFound, "application_not_found", "an unknown app")
	wantCode(t, f.svc.AddApps(ctx, f.admin, o.ID, []string{}), fault.Invalid, "", "no app")
	must(t, f.svc.RemoveApps(ctx, f.admin, o.ID, []string{f.other.AppID}), "remove app")
	got, _ := f.svc.Get(ctx, f.admin, o.ID)
	if !slices.Equal(got.AppIDs, []string{f.app.AppID}) {
		t.Errorf("apps %v", got.AppIDs)
	}
	wantCode(t, f.svc.AddApps(ctx, f.admin, model.NewID(), []string{f.app.AppID}), fault.NotFound, "organization_not_found", "a missing organization")
}

func TestLoginAndAdminChecks(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme"), AppIDs: &[]string{f.app.AppID}})
	must(t, err, "create")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.ann, MemberInput{OrgAdmin: ptr(true)})
	must(t, err, "add ann")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.bob, MemberInput{})
	must(t, err, "add bob")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.bob, MemberInput{})
	wantCode(t, err, fault.Conflict, "member_already_exists", "bob again")

	check := func(orgID, appID, userID string) error {
		_, err := CheckLogin(ctx, f.store, f.app.TenantID, orgID, appID, userID)
		return err
	}
	must(t, check(o.ID, f.app.AppID, f.bob), "bob's login")
	for name, err := range map[string]error{
		"a non-member":         check(o.ID, f.app.AppID, f.cy),
		"an unknown org":       check(model.NewID(), f.app.AppID, f.bob),
		"a malformed org id":   check("not an id!", f.app.AppID, f.bob),
		"another tenant's org": func() error { _, err := CheckLogin(ctx, f.store, model.NewID(), o.ID, f.app.AppID, f.bob); return err }(),
	} {
		if !errors.Is(err, ErrNotMember) {
			t.Errorf("%s: got %v, want ErrNotMember", name, err)
		}
	}
	if err := check(o.ID, f.other.AppID, f.bob); !errors.Is(err, ErrAppNotInOrg) {
		t.Errorf("an application the organization may not use: %v", err)
	}

	admin := func(sessionOrg, orgID string, userID string) error {
		return CheckAdmin(ctx, f.store, f.app.TenantID, sessionOrg, orgID, f.app.AppID, userID)
	}
	must(t, admin(o.ID, o.ID, f.ann), "ann administers")
	other, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Other"), AppIDs: &[]string{f.app.AppID}})
	must(t, err, "create other")
	for name, err := range map[string]error{
		"a member who is no administrator": admin(o.ID, o.ID, f.bob),
		"a login to no organization":       admin("", o.ID, f.ann),
		"another organization":             admin(o.ID, other.ID, f.ann),
	} {
		if !errors.Is(err, ErrNotOrgAdmin) {
			t.Errorf("%s: got %v, want ErrNotOrgAdmin", name, err)
		}
	}

	// Disabling the member, then the organization, refuses both.
	_, err = f.svc.UpdateMember(ctx, f.app, o.ID, f.ann, MemberInput{Enabled: ptr(false)})
	must(t, err, "disable ann")
	if err := admin(o.ID, o.ID, f.ann); !errors.Is(err, ErrNotOrgAdmin) {
		t.Errorf("a disabled administrator: %v", err)
	}
	_, err = f.svc.Update(ctx, f.admin, o.ID, Input{Enabled: ptr(false)})
	must(t, err, "disable organization")
	if err := check(o.ID, f.app.AppID, f.bob); !errors.Is(err, ErrNotMember) {
		t.Errorf("a member of a disabled organization: %v", err)
	}
}

func TestMembersAreScopedToTheApplication(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme"), AppIDs: &[]string{f.app.AppID}})
	must(t, err, "create")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.bob, MemberInput{})
	must(t, err, "add bob")
	// The other application's client does not find the organization at all.
	_, err = f.svc.AddMember(ctx, f.other, o.ID, f.cy, MemberInput{})
	wantCode(t, err, fault.NotFound, "organization_not_found", "other app adds")
	_, err = f.svc.Member(ctx, f.other, o.ID, f.bob)
	wantCode(t, err, fault.NotFound, "organization_not_found", "other app reads")
	wantCode(t, f.svc.RemoveMember(ctx, f.other, o.ID, f.bob), fault.NotFound, "organization_not_found", "other app removes")
	list, err := f.svc.UserMemberships(ctx, f.other, f.bob, "")
	must(t, err, "other app lists memberships")
	if len(list) != 0 {
		t.Errorf("the other application sees memberships %v", list)
	}
	list, err = f.svc.UserMemberships(ctx, f.admin, f.bob, "")
	must(t, err, "admin lists memberships")
	if len(list) != 1 || list[0].Member.OrgID != o.ID {
		t.Errorf("memberships %v", list)
	}
	_, err = f.svc.AddMember(ctx, f.app, o.ID, model.NewID(), MemberInput{})
	wantCode(t, err, fault.NotFound, "user_not_found", "an unknown user")
}

func TestSetMemberRoles(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now := time.Now()
	o, err := f.svc.Create(ctx, f.admin, Input{Name: ptr("Acme"), AppIDs: &[]string{f.app.AppID}})
	must(t, err, "create")
	_, err = f.svc.AddMember(ctx, f.app, o.ID, f.bob, MemberInput{})
	must(t, err, "add bob")
	role := model.Role{ID: model.NewID(), TenantID: f.app.TenantID, AppID: f.app.AppID, Name: "booker", Permissions: []string{"book"}, CreatedAt: now, UpdatedAt: now}
	must(t, f.store.CreateRole(ctx, role), "create role")
	foreign := model.Role{ID: model.NewID(), TenantID: f.app.TenantID, AppID: f.other.AppID, Name: "booker", Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
	must(t, f.store.CreateRole(ctx, foreign), "create foreign role")

	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{role.ID}), "set roles")
	got, err := f.store.MemberRoles(ctx, f.app.TenantID, o.ID, f.app.AppID, f.bob)
	must(t, err, "member roles")
	if len(got) != 1 || got[0].ID != role.ID {
		t.Errorf("roles %v", got)
	}
	wantCode(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{foreign.ID}), fault.NotFound, "role_not_found", "another app's role")
	wantCode(t, f.svc.SetMemberRoles(ctx, f.admin, f.other.AppID, o.ID, f.bob, []string{foreign.ID}), fault.Invalid, "application_not_in_organization", "an app the organization may not use")
	wantCode(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.cy, []string{role.ID}), fault.NotFound, "member_not_found", "a non-member")
	wantCode(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, nil), fault.Invalid, "", "no role_ids")
	// The refused calls left bob's role as it was.
	got, _ = f.store.MemberRoles(ctx, f.app.TenantID, o.ID, f.app.AppID, f.bob)
	if len(got) != 1 || got[0].ID != role.ID {
		t.Errorf("roles after refused calls %v", got)
	}
	must(t, f.svc.SetMemberRoles(ctx, f.admin, f.app.AppID, o.ID, f.bob, []string{}), "clear roles")
	got, _ = f.store.MemberRoles(ctx, f.app.TenantID, o.ID, f.app.AppID, f.bob)
	if len(got) != 0 {
		t.Errorf("roles after clearing %v", got)
	}
}
