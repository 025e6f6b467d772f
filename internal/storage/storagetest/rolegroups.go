package storagetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var roleGroupTests = []namedTest{
	{"RoundTrip", testRoleGroupRoundTrip},
	{"DuplicateName", testRoleGroupDuplicateName},
	{"ScopedToAppAndTenant", testRoleGroupScoped},
	{"DeleteAppTakesGroups", testRoleGroupDeleteApp},
	{"OrgAppRoles", testOrgAppRoles},
	{"OrgLogo", testOrgLogo},
}

// An organization's logo: none until set, replaced whole, its bytes kept exactly, its tenant's
// alone, and gone with the organization.
func testOrgLogo(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ctx := t.Context()
	o := newOrg(t, s, e, "logo co")
	_, err := s.GetOrgLogo(ctx, e.Tenant.ID, o.ID)
	wantNotFound(t, err, "GetOrgLogo before any")
	first := model.OrgLogo{ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}, UpdatedAt: at(time.Minute)}
	must(t, s.SetOrgLogo(ctx, e.Tenant.ID, o.ID, first), "set logo")
	second := model.OrgLogo{ContentType: "image/jpeg", Data: []byte{0xff, 0xd8, 0xff, 0, 0}, UpdatedAt: at(2 * time.Minute)}
	must(t, s.SetOrgLogo(ctx, e.Tenant.ID, o.ID, second), "replace logo")
	got, err := s.GetOrgLogo(ctx, e.Tenant.ID, o.ID)
	must(t, err, "get logo")
	wantEqual(t, "logo after a replace", got, second)
	_, err = s.GetOrgLogo(ctx, newEnv(t, s).Tenant.ID, o.ID)
	wantNotFound(t, err, "GetOrgLogo through another tenant")
	must(t, s.DeleteOrganization(ctx, e.Tenant.ID, o.ID), "delete organization")
	must(t, s.CreateOrganization(ctx, o), "create it again")
	_, err = s.GetOrgLogo(ctx, e.Tenant.ID, o.ID)
	wantNotFound(t, err, "a deleted organization's logo")
}

// An organization's roles and role groups in an application: empty until set, replaced whole,
// kept apart per application, organization and tenant, and gone with the organization or the
// application.
func testOrgAppRoles(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ctx := t.Context()
	o := newOrg(t, s, e, "acme")
	get := func(tenant, org, app string) ([]string, []string) {
		t.Helper()
		r, g, err := s.GetOrgAppRoles(ctx, tenant, org, app)
		must(t, err, "get organization roles")
		return r, g
	}
	r, g := get(e.Tenant.ID, o.ID, e.App.ID)
	if r == nil || g == nil || len(r)+len(g) != 0 {
		t.Errorf("nothing set reads as %#v, %#v; want two empty lists", r, g)
	}
	must(t, s.SetOrgAppRoles(ctx, e.Tenant.ID, o.ID, e.App.ID, []string{"r2", "r1"}, []string{"g1"}, at(time.Minute)), "set")
	must(t, s.SetOrgAppRoles(ctx, e.Tenant.ID, o.ID, e.App.ID, []string{"r3", "r1"}, []string{}, at(2*time.Minute)), "replace")
	r, g = get(e.Tenant.ID, o.ID, e.App.ID)
	wantEqual(t, "roles after a replace", r, []string{"r3", "r1"})
	wantEqual(t, "groups after a replace", g, []string{})
	other := e
	other.App = newApp(t, s, e.Tenant.ID)
	otherTenant := newEnv(t, s)
	for _, k := range []struct{ tenant, org, app string }{{e.Tenant.ID, o.ID, other.App.ID}, {otherTenant.Tenant.ID, o.ID, e.App.ID}} {
		if r, g := get(k.tenant, k.org, k.app); len(r)+len(g) != 0 {
			t.Errorf("another application or tenant reads %q, %q", r, g)
		}
	}
	must(t, s.SetOrgAppRoles(ctx, e.Tenant.ID, o.ID, other.App.ID, []string{"x"}, []string{"y"}, at(0)), "set in the other application")
	must(t, s.DeleteApplication(ctx, e.Tenant.ID, other.App.ID), "delete the other application")
	must(t, s.CreateApplication(ctx, other.App), "create it again")
	if r, g := get(e.Tenant.ID, o.ID, other.App.ID); len(r)+len(g) != 0 {
		t.Errorf("a deleted application's organization roles survived: %q, %q", r, g)
	}
	must(t, s.DeleteOrganization(ctx, e.Tenant.ID, o.ID), "delete organization")
	must(t, s.CreateOrganization(ctx, o), "create it again")
	if r, g := get(e.Tenant.ID, o.ID, e.App.ID); len(r)+len(g) != 0 {
		t.Errorf("a deleted organization's roles survived: %q, %q", r, g)
	}
}

func makeRoleGroup(e env, name string, roleIDs ...string) model.RoleGroup {
	if roleIDs == nil {
		roleIDs = []string{}
	}
	return model.RoleGroup{
		ID: model.NewID(), TenantID: e.Tenant.ID, AppID: e.App.ID, Name: name,
		DisplayName: "The " + name, Description: "holds " + name, RoleIDs: roleIDs,
		CreatedAt: at(time.Minute), UpdatedAt: at(2 * time.Minute),
	}
}

func newRoleGroup(t *testing.T, s storage.Store, e env, name string, roleIDs ...string) model.RoleGroup {
	t.Helper()
	g := makeRoleGroup(e, name, roleIDs...)
	must(t, s.CreateRoleGroup(t.Context(), g), "create role group")
	return g
}

func testRoleGroupRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	a := newRole(t, s, e, "a")
	b := newRole(t, s, e, "b")
	// The roles keep the order given, which is not the ids' order.
	want := newRoleGroup(t, s, e, "editors", b.ID, a.ID)
	got, err := s.GetRoleGroup(t.Context(), e.Tenant.ID, e.App.ID, want.ID)
	must(t, err, "get role group")
	wantEqual(t, "GetRoleGroup", got, want)
	empty := newRoleGroup(t, s, e, "empty")
	got, err = s.GetRoleGroup(t.Context(), e.Tenant.ID, e.App.ID, empty.ID)
	must(t, err, "get role group")
	if got.RoleIDs == nil || len(got.RoleIDs) != 0 {
		t.Errorf("a group without roles read back as %#v, want an empty list", got.RoleIDs)
	}
	list, err := s.ListRoleGroups(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list role groups")
	wantList(t, "ListRoleGroups", list, []model.RoleGroup{want, empty})
	_, err = s.GetRoleGroup(t.Context(), e.Tenant.ID, e.App.ID, model.NewID())
	wantNotFound(t, err, "GetRoleGroup of a missing id")
}

func testRoleGroupDuplicateName(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newRoleGroup(t, s, e, "admins")
	wantDuplicate(t, s.CreateRoleGroup(t.Context(), makeRoleGroup(e, "admins")), "name", "CreateRoleGroup with a taken name")
	// The same name in another application of the tenant, or a role of that name, is free.
	other := e
	other.App = newApp(t, s, e.Tenant.ID)
	newRoleGroup(t, s, other, "admins")
	newRole(t, s, e, "admins")
}

func testRoleGroupScoped(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	g := newRoleGroup(t, s, e, "viewers")
	otherApp := newApp(t, s, e.Tenant.ID)
	otherTenant := newEnv(t, s)
	for _, k := range []struct{ tenant, app string }{{e.Tenant.ID, otherApp.ID}, {otherTenant.Tenant.ID, e.App.ID}, {otherTenant.Tenant.ID, otherTenant.App.ID}} {
		_, err := s.GetRoleGroup(t.Context(), k.tenant, k.app, g.ID)
		wantNotFound(t, err, "GetRoleGroup through another application or tenant")
		list, err := s.ListRoleGroups(t.Context(), k.tenant, k.app)
		must(t, err, "list role groups")
		if len(list) != 0 {
			t.Errorf("ListRoleGroups of another application or tenant returned %d groups", len(list))
		}
	}
}

func testRoleGroupDeleteApp(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	g := newRoleGroup(t, s, e, "gone")
	other := e
	other.App = newApp(t, s, e.Tenant.ID)
	kept := newRoleGroup(t, s, other, "kept")
	must(t, s.DeleteApplication(t.Context(), e.Tenant.ID, e.App.ID), "delete application")
	_, err := s.GetRoleGroup(t.Context(), e.Tenant.ID, e.App.ID, g.ID)
	wantNotFound(t, err, "GetRoleGroup after its application's deletion")
	// An application made again under the same id does not inherit the old groups.
	must(t, s.CreateApplication(t.Context(), e.App), "create application again")
	list, err := s.ListRoleGroups(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list role groups")
	if len(list) != 0 {
		t.Errorf("a deleted application's role groups survived: %d", len(list))
	}
	_, err = s.GetRoleGroup(t.Context(), e.Tenant.ID, other.App.ID, kept.ID)
	must(t, err, "another application's group stays")
}
