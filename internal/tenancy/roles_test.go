package tenancy

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// callerOf is the caller a client's token speaks as, with its roles' permissions.
func callerOf(cl model.Client) model.Caller {
	return model.Caller{TenantID: cl.TenantID, AppID: cl.AppID, ClientID: cl.ID, Permissions: clientroles.PermissionsOf(cl.RoleIDs)}
}

// New clients get the default role unless given roles; a management application's clients get
// none and cannot be given any; an unknown role is refused.
func TestClientRolesDefaultsAndValidation(t *testing.T) {
	f := newFixture(t)
	admin, b := f.admin(t)
	ctx := t.Context()
	app, _, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	if !slices.Equal(app.Default.RoleIDs, []string{clientroles.DefaultRole}) {
		t.Errorf("a new application's client holds %q, want the default role", app.Default.RoleIDs)
	}
	issued, err := f.svc.CreateClient(ctx, admin, app.ID, ClientInput{Name: ptr("reporting"), RoleIDs: ptr([]string{"read-only", "read-only"})})
	must(t, err, "create a read-only client")
	if !slices.Equal(issued.Client.RoleIDs, []string{"read-only"}) {
		t.Errorf("roles given: %q", issued.Client.RoleIDs)
	}
	mgmt, err := f.svc.GetClient(ctx, b.AdminClientID)
	must(t, err, "get admin client")
	if len(mgmt.RoleIDs) != 0 {
		t.Errorf("a management client holds roles %q", mgmt.RoleIDs)
	}
	_, err = f.svc.UpdateClient(ctx, admin, mgmt.AppID, mgmt.ID, ClientInput{RoleIDs: ptr([]string{"read-only"})})
	wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "roles for a management client")
	_, err = f.svc.CreateClient(ctx, admin, mgmt.AppID, ClientInput{Name: ptr("m2"), RoleIDs: ptr([]string{"read-only"})})
	wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "a new management client with roles")
	_, err = f.svc.UpdateClient(ctx, admin, app.ID, issued.Client.ID, ClientInput{RoleIDs: ptr([]string{"superuser"})})
	wantFault(t, err, fault.Invalid, fault.CodeInvalidInput, "an unknown role")
	got, err := f.svc.Client(ctx, admin, app.ID, issued.Client.ID)
	must(t, err, "get client")
	if !slices.Equal(got.RoleIDs, []string{"read-only"}) {
		t.Errorf("a refused change left roles %q", got.RoleIDs)
	}
	// The admin token gives any role, the tenant-wide one included.
	_, err = f.svc.UpdateClient(ctx, admin, app.ID, issued.Client.ID, ClientInput{RoleIDs: ptr([]string{clientroles.TenantAdminRole})})
	must(t, err, "admin gives tenant-admin")
}

// A client cannot raise itself or another client above its own permissions, cannot take over
// (change, rotate, delete) a client holding more than it does, and cannot make or unmake
// management applications, whatever its roles.
func TestClientRolesNoEscalation(t *testing.T) {
	f := newFixture(t)
	admin, b := f.admin(t)
	ctx := t.Context()
	app, _, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Shop")})
	must(t, err, "create application")
	me := callerOf(*app.Default) // the default role: write:app, no tenant-wide permission

	// Giving itself, or a new client, more than it holds.
	_, err = f.svc.UpdateClient(ctx, me, app.ID, app.Default.ID, ClientInput{RoleIDs: ptr([]string{clientroles.TenantAdminRole})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "raise itself")
	_, err = f.svc.CreateClient(ctx, me, app.ID, ClientInput{Name: ptr("x"), RoleIDs: ptr([]string{clientroles.ReadOnlyRole})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "a read-only client (list:app, read:resource are beyond it)")
	// Roles within its own are fine, and lowering itself too.
	low, err := f.svc.CreateClient(ctx, me, app.ID, ClientInput{Name: ptr("login"), RoleIDs: ptr([]string{clientroles.LoginRole})})
	must(t, err, "give a narrower role")
	if _, err := f.svc.UpdateClient(ctx, callerOf(low.Client), app.ID, low.Client.ID, ClientInput{RoleIDs: ptr([]string{clientroles.DefaultRole})}); err == nil {
		t.Errorf("a login-only client raised itself to the default role")
	}

	// A sibling holding more: not to be changed, rotated or deleted by me.
	strong, err := f.svc.CreateClient(ctx, admin, app.ID, ClientInput{Name: ptr("ops"), RoleIDs: ptr([]string{clientroles.TenantAdminRole})})
	must(t, err, "admin creates a tenant-admin client")
	_, err = f.svc.RotateClientSecret(ctx, me, app.ID, strong.Client.ID)
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "rotate a stronger client's secret")
	_, err = f.svc.UpdateClient(ctx, me, app.ID, strong.Client.ID, ClientInput{RoleIDs: ptr([]string{clientroles.LoginRole})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "change a stronger client")
	wantFault(t, f.svc.DeleteClient(ctx, me, app.ID, strong.Client.ID), fault.Forbidden, clientroles.CodeInsufficientPermissions, "delete a stronger client")
	after, err := f.svc.Client(ctx, admin, app.ID, strong.Client.ID)
	must(t, err, "get the stronger client")
	if after.TokenEpoch != strong.Client.TokenEpoch || !slices.Equal(after.RoleIDs, []string{clientroles.TenantAdminRole}) {
		t.Errorf("the refused calls changed the stronger client: %+v", after)
	}
	// The weaker sibling is mine to manage.
	if _, err := f.svc.RotateClientSecret(ctx, me, app.ID, low.Client.ID); err != nil {
		t.Errorf("rotate a weaker client's secret: %v", err)
	}

	// A tenant-admin client creates applications, whose client gets no more than it holds, but
	// no management application, and deletes ordinary applications only.
	ops := callerOf(strong.Client)
	made, issued, err := f.svc.CreateApplication(ctx, ops, ApplicationInput{Name: ptr("Made by ops")})
	must(t, err, "tenant-admin creates an application")
	if issued.Secret == "" || !slices.Equal(made.Default.RoleIDs, []string{clientroles.DefaultRole}) {
		t.Errorf("created application's client: %+v", made.Default)
	}
	_, _, err = f.svc.CreateApplication(ctx, ops, ApplicationInput{Name: ptr("Backdoor"), Kind: ptr(model.AppKindManagement)})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "a client creates a management application")
	mgmt, err := f.svc.GetClient(ctx, b.AdminClientID)
	must(t, err, "get admin client")
	wantFault(t, f.svc.DeleteApplication(ctx, ops, mgmt.AppID), fault.Forbidden, clientroles.CodeInsufficientPermissions, "a client deletes the management application")
	must(t, f.svc.DeleteApplication(ctx, ops, made.ID), "tenant-admin deletes an ordinary application")

	// A caller whose permissions do not cover the default role cannot create an application:
	// the application's client would hold more than its creator.
	weak := callerOf(low.Client)
	_, _, err = f.svc.CreateApplication(ctx, weak, ApplicationInput{Name: ptr("Too much")})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "an application whose client would hold more than its creator")
}
