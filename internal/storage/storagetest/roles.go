package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var roleTests = []namedTest{
	{"RoundTrip", testRoleRoundTrip},
	{"DuplicateName", testRoleDuplicateName},
	{"ScopedToAppAndTenant", testRoleScoped},
	{"Update", testRoleUpdate},
	{"AssignAndList", testRoleAssign},
	{"AssignMissingRole", testRoleAssignMissing},
	{"DeleteRoleTakesAssignments", testRoleDeleteTakesAssignments},
	{"DeleteUserTakesAssignments", testRoleDeleteUser},
	{"DeleteAppTakesRoles", testRoleDeleteApp},
}

func makeRole(e env, name string, perms ...string) model.Role {
	if perms == nil {
		perms = []string{}
	}
	return model.Role{
		ID: model.NewID(), TenantID: e.Tenant.ID, AppID: e.App.ID, Name: name,
		DisplayName: "The " + name, Description: "can do " + name, Permissions: perms,
		CreatedAt: at(time.Minute), UpdatedAt: at(2 * time.Minute),
	}
}

func newRole(t *testing.T, s storage.Store, e env, name string, perms ...string) model.Role {
	t.Helper()
	r := makeRole(e, name, perms...)
	must(t, s.CreateRole(t.Context(), r), "create role")
	return r
}

func assign(t *testing.T, s storage.Store, e env, roleID, userID string) {
	t.Helper()
	must(t, s.AssignRole(t.Context(), model.RoleAssignment{
		TenantID: e.Tenant.ID, AppID: e.App.ID, RoleID: roleID, UserID: userID, AssignedAt: at(3 * time.Minute),
	}), "assign role")
}

func testRoleRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newRole(t, s, e, "editor", "docs:read", "docs:write")
	got, err := s.GetRole(t.Context(), e.Tenant.ID, e.App.ID, want.ID)
	must(t, err, "get role")
	wantEqual(t, "GetRole", got, want)
	empty := newRole(t, s, e, "nobody")
	got, err = s.GetRole(t.Context(), e.Tenant.ID, e.App.ID, empty.ID)
	must(t, err, "get role")
	if got.Permissions == nil || len(got.Permissions) != 0 {
		t.Errorf("a role without permissions read back as %#v, want an empty list", got.Permissions)
	}
	list, err := s.ListRoles(t.Context(), e.Tenant.ID, e.App.ID)
	must(t, err, "list roles")
	wantIDs(t, "ListRoles", list, want.ID, empty.ID)
	_, err = s.GetRole(t.Context(), e.Tenant.ID, e.App.ID, model.NewID())
	wantNotFound(t, err, "GetRole of a missing id")
	wantNotFound(t, s.DeleteRole(t.Context(), e.Tenant.ID, e.App.ID, model.NewID()), "DeleteRole of a missing id")
}

func testRoleDuplicateName(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	newRole(t, s, e, "admin")
	wantDuplicate(t, s.CreateRole(t.Context(), makeRole(e, "admin")), "name", "CreateRole with a taken name")
	// The same name in another application of the tenant is free.
	other := e
	other.App = newApp(t, s, e.Tenant.ID)
	newRole(t, s, other, "admin")
}

func testRoleScoped(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newRole(t, s, e, "viewer", "a:read")
	otherApp := newApp(t, s, e.Tenant.ID)
	otherTenant := newEnv(t, s)
	for _, k := range []struct{ tenant, app string }{{e.Tenant.ID, otherApp.ID}, {otherTenant.Tenant.ID, e.App.ID}, {otherTenant.Tenant.ID, otherTenant.App.ID}} {
		_, err := s.GetRole(t.Context(), k.tenant, k.app, r.ID)
		wantNotFound(t, err, "GetRole through another application or tenant")
		wantNotFound(t, s.DeleteRole(t.Context(), k.tenant, k.app, r.ID), "DeleteRole through another application or tenant")
		err = s.UpdateRole(t.Context(), k.tenant, k.app, r.ID, func(x model.Role) (model.Role, error) { return x, nil })
		wantNotFound(t, err, "UpdateRole through another application or tenant")
		err = s.AssignRole(t.Context(), model.RoleAssignment{TenantID: k.tenant, AppID: k.app, RoleID: r.ID, UserID: e.User.ID, AssignedAt: at(0)})
		wantNotFound(t, err, "AssignRole through another application or tenant")
		list, err := s.ListRoles(t.Context(), k.tenant, k.app)
		must(t, err, "list roles")
		if len(list) != 0 {
			t.Errorf("ListRoles of another application or tenant returned %d roles", len(list))
		}
	}
	roles, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	if len(roles) != 0 {
		t.Errorf("refused assignments left %d roles", len(roles))
	}
}

func testRoleUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newRole(t, s, e, "one", "x:read")
	taken := newRole(t, s, e, "two")
	err := s.UpdateRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID, func(x model.Role) (model.Role, error) {
		x.Name, x.Permissions, x.UpdatedAt = "uno", []string{"x:read", "x:write"}, at(time.Hour)
		return x, nil
	})
	must(t, err, "update role")
	got, err := s.GetRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID)
	must(t, err, "get role")
	want := r
	want.Name, want.Permissions, want.UpdatedAt = "uno", []string{"x:read", "x:write"}, at(time.Hour)
	wantEqual(t, "updated role", got, want)
	err = s.UpdateRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID, func(x model.Role) (model.Role, error) {
		x.Name = taken.Name
		return x, nil
	})
	wantDuplicate(t, err, "name", "UpdateRole to a taken name")
	refused := errors.New("refused")
	err = s.UpdateRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID, func(x model.Role) (model.Role, error) { return x, refused })
	if !errors.Is(err, refused) {
		t.Errorf("UpdateRole returned %v, want the updater's error", err)
	}
}

func testRoleAssign(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	b := newRole(t, s, e, "b-role", "p:2")
	a := newRole(t, s, e, "a-role", "p:1")
	newRole(t, s, e, "unassigned", "p:3")
	assign(t, s, e, b.ID, e.User.ID)
	assign(t, s, e, a.ID, e.User.ID)
	assign(t, s, e, a.ID, e.User.ID) // again: nothing changes
	got, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	wantList(t, "UserRoles (by name)", got, []model.Role{a, b})
	other := newUser(t, s, e.Tenant.ID)
	got, err = s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, other.ID)
	must(t, err, "user roles")
	if len(got) != 0 {
		t.Errorf("a user without assignments has %d roles", len(got))
	}
	must(t, s.UnassignRole(t.Context(), e.Tenant.ID, e.App.ID, b.ID, e.User.ID), "unassign role")
	wantNotFound(t, s.UnassignRole(t.Context(), e.Tenant.ID, e.App.ID, b.ID, e.User.ID), "UnassignRole twice")
	got, err = s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	wantList(t, "UserRoles after an unassignment", got, []model.Role{a})
}

func testRoleAssignMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	err := s.AssignRole(t.Context(), model.RoleAssignment{TenantID: e.Tenant.ID, AppID: e.App.ID, RoleID: model.NewID(), UserID: e.User.ID, AssignedAt: at(0)})
	wantNotFound(t, err, "AssignRole of a missing role")
}

func testRoleDeleteTakesAssignments(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newRole(t, s, e, "gone")
	keep := newRole(t, s, e, "kept")
	assign(t, s, e, r.ID, e.User.ID)
	assign(t, s, e, keep.ID, e.User.ID)
	must(t, s.DeleteRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID), "delete role")
	got, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	wantList(t, "UserRoles after a role's deletion", got, []model.Role{keep})
	wantNotFound(t, s.UnassignRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID, e.User.ID), "UnassignRole of a deleted role")
}

func testRoleDeleteUser(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newRole(t, s, e, "r")
	assign(t, s, e, r.ID, e.User.ID)
	must(t, s.DeleteUser(t.Context(), e.Tenant.ID, e.User.ID), "delete user")
	// A user created again under the same id must not inherit the old assignments.
	u := e.User
	must(t, s.CreateUser(t.Context(), u), "create user again")
	got, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, u.ID)
	must(t, err, "user roles")
	if len(got) != 0 {
		t.Errorf("a deleted user's assignments survived: %d roles", len(got))
	}
}

func testRoleDeleteApp(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	r := newRole(t, s, e, "r")
	assign(t, s, e, r.ID, e.User.ID)
	must(t, s.DeleteApplication(t.Context(), e.Tenant.ID, e.App.ID), "delete application")
	_, err := s.GetRole(t.Context(), e.Tenant.ID, e.App.ID, r.ID)
	wantNotFound(t, err, "GetRole after its application's deletion")
	got, err := s.UserRoles(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "user roles")
	if len(got) != 0 {
		t.Errorf("a deleted application's assignments survived: %d roles", len(got))
	}
}
