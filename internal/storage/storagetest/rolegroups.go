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
