package tenancy

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// A tenant's own client role: defined from the permissions, given to a client like a built-in
// one, and its changes reach the clients holding it at once; deleting it takes it from them.
// Built-in roles stay as they are.
func TestTenantClientRoles(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.admin(t)
	ctx := t.Context()
	app, _, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")

	support, err := f.svc.CreateClientRole(ctx, admin, ClientRoleInput{Name: ptr("Support"),
		Permissions: ptr([]string{clientroles.WriteUser, clientroles.ReadUser, clientroles.ReadUser})})
	must(t, err, "create client role")
	if !slices.Equal(support.Permissions, []string{clientroles.ReadUser, clientroles.WriteUser}) || support.BuiltIn {
		t.Errorf("role made: %+v", support)
	}
	_, err = f.svc.CreateClientRole(ctx, admin, ClientRoleInput{Name: ptr("Support"), Permissions: ptr([]string{clientroles.ReadUser})})
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "a taken name")
	_, err = f.svc.CreateClientRole(ctx, admin, ClientRoleInput{Name: ptr("Bad"), Permissions: ptr([]string{"read:everything"})})
	wantProblems(t, err, "an unknown permission", `"read:everything" are not permissions`)
	_, err = f.svc.UpdateClientRole(ctx, admin, clientroles.TenantAdminRole, ClientRoleInput{Name: ptr("Mine")})
	wantFault(t, err, fault.Conflict, fault.CodeConflict, "changing a built-in role")
	wantFault(t, f.svc.DeleteClientRole(ctx, admin, clientroles.DefaultRole), fault.Conflict, fault.CodeConflict, "deleting a built-in role")

	issued, err := f.svc.CreateClient(ctx, admin, app.ID, ClientInput{Name: ptr("helpdesk"), RoleIDs: ptr([]string{support.ID, clientroles.LoginRole})})
	must(t, err, "give the tenant's role")
	permsOf := func() []string {
		cl, err := f.svc.GetClient(ctx, issued.Client.ID)
		must(t, err, "get client")
		return clientroles.ClientPermissions(cl)
	}
	if got := permsOf(); !slices.Equal(got, []string{clientroles.AuthenticateUser, clientroles.ReadUser, clientroles.WriteUser}) {
		t.Errorf("client permissions %q", got)
	}
	_, err = f.svc.UpdateClientRole(ctx, admin, support.ID, ClientRoleInput{Permissions: ptr([]string{clientroles.ReadUser, clientroles.DeleteUser})})
	must(t, err, "change the role's permissions")
	if got := permsOf(); !slices.Equal(got, []string{clientroles.AuthenticateUser, clientroles.DeleteUser, clientroles.ReadUser}) {
		t.Errorf("after the role's change the client holds %q", got)
	}
	must(t, f.svc.DeleteClientRole(ctx, admin, support.ID), "delete the role")
	cl, err := f.svc.GetClient(ctx, issued.Client.ID)
	must(t, err, "get client")
	if !slices.Equal(cl.RoleIDs, []string{clientroles.LoginRole}) || !slices.Equal(clientroles.ClientPermissions(cl), []string{clientroles.AuthenticateUser, clientroles.ReadUser}) {
		t.Errorf("after the role's deletion the client holds %q: %q", cl.RoleIDs, clientroles.ClientPermissions(cl))
	}
	_, err = f.svc.CreateClient(ctx, admin, app.ID, ClientInput{Name: ptr("late"), RoleIDs: ptr([]string{support.ID})})
	wantProblems(t, err, "a deleted role", "is not a client role")
}

// A client defines, changes, deletes and gives tenant roles within its own permissions only, and
// another tenant's roles are nobody's here.
func TestTenantClientRolesNoEscalation(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.admin(t)
	ctx := t.Context()
	app, _, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	me := model.Caller{TenantID: admin.TenantID, AppID: app.ID, ClientID: app.Default.ID,
		Permissions: []string{clientroles.ReadApp, clientroles.ReadUser, clientroles.WriteApp, clientroles.WriteClientRole}}

	_, err = f.svc.CreateClientRole(ctx, me, ClientRoleInput{Name: ptr("Too much"), Permissions: ptr([]string{clientroles.ReadUser, clientroles.DeleteUser})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "a role beyond the caller")
	mine, err := f.svc.CreateClientRole(ctx, me, ClientRoleInput{Name: ptr("Reader"), Permissions: ptr([]string{clientroles.ReadUser})})
	must(t, err, "a role within the caller")
	_, err = f.svc.UpdateClientRole(ctx, me, mine.ID, ClientRoleInput{Permissions: ptr([]string{clientroles.DeleteUser})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "raising a role beyond the caller")
	strong, err := f.svc.CreateClientRole(ctx, admin, ClientRoleInput{Name: ptr("Deleter"), Permissions: ptr([]string{clientroles.DeleteUser})})
	must(t, err, "admin makes a stronger role")
	_, err = f.svc.UpdateClientRole(ctx, me, strong.ID, ClientRoleInput{Permissions: ptr([]string{clientroles.ReadUser})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "changing a role holding more")
	wantFault(t, f.svc.DeleteClientRole(ctx, me, strong.ID), fault.Forbidden, clientroles.CodeInsufficientPermissions, "deleting a role holding more")
	_, err = f.svc.CreateClient(ctx, me, app.ID, ClientInput{Name: ptr("x"), RoleIDs: ptr([]string{strong.ID})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "giving a role holding more")
	_, err = f.svc.CreateClient(ctx, me, app.ID, ClientInput{Name: ptr("reader"), RoleIDs: ptr([]string{mine.ID})})
	must(t, err, "giving a role within")

	// Another tenant's role is unknown here.
	other, _ := f.admin(t)
	otherApp, _, err := f.svc.CreateApplication(ctx, other, ApplicationInput{Name: ptr("Other")})
	must(t, err, "other tenant's application")
	_, err = f.svc.CreateClient(ctx, other, otherApp.ID, ClientInput{Name: ptr("x"), RoleIDs: ptr([]string{mine.ID})})
	wantProblems(t, err, "another tenant's role", "is not a client role")
	_, err = f.svc.ClientRole(ctx, other, mine.ID)
	wantFault(t, err, fault.NotFound, "client_role_not_found", "another tenant's role by id")
	wantFault(t, f.svc.DeleteClientRole(ctx, other, mine.ID), fault.NotFound, "client_role_not_found", "deleting another tenant's role")
}
