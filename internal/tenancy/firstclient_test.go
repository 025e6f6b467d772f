package tenancy

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// first_client.role_ids gives a new application's first client those roles, under the same
// rules as a client's role_ids: known roles only (a 400 that names the field, and no
// application made), none for a management application, and none beyond the caller's own.
func TestFirstClientRoleIDs(t *testing.T) {
	f := newFixture(t)
	admin, _ := f.admin(t)
	ctx := t.Context()
	app, issued, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Reports"),
		FirstClientRoleIDs: ptr([]string{clientroles.ReadOnlyRole, clientroles.LoginRole, clientroles.ReadOnlyRole})})
	must(t, err, "create with first_client roles")
	want := []string{clientroles.ReadOnlyRole, clientroles.LoginRole}
	if !slices.Equal(issued.Client.RoleIDs, want) || !slices.Equal(app.Default.RoleIDs, want) {
		t.Errorf("first client holds %q (view %q), want %q", issued.Client.RoleIDs, app.Default.RoleIDs, want)
	}
	stored, err := f.svc.GetClient(ctx, issued.Client.ID)
	must(t, err, "get first client")
	if !slices.Equal(stored.RoleIDs, want) {
		t.Errorf("stored first client holds %q, want %q", stored.RoleIDs, want)
	}
	// An empty list is a first client without roles.
	_, bare, err := f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Bare"), FirstClientRoleIDs: ptr([]string{})})
	must(t, err, "create with no first_client roles")
	if len(bare.Client.RoleIDs) != 0 {
		t.Errorf("an empty role list gave %q", bare.Client.RoleIDs)
	}

	before, err := f.svc.ListApplications(ctx, admin)
	must(t, err, "list")
	_, _, err = f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Typo"), FirstClientRoleIDs: ptr([]string{"read-olny"})})
	wantProblems(t, err, "an unknown first_client role", `first_client.role_ids: "read-olny" is not a client role`)
	_, _, err = f.svc.CreateApplication(ctx, admin, ApplicationInput{Name: ptr("Ops"), Kind: ptr(model.AppKindManagement),
		FirstClientRoleIDs: ptr([]string{clientroles.ReadOnlyRole})})
	wantProblems(t, err, "roles for a management application's first client", "first_client.role_ids: a management application")

	// A client that may create applications gives roles within its own permissions only.
	maker := model.Caller{TenantID: admin.TenantID, AppID: app.ID, ClientID: issued.Client.ID,
		Permissions: append(clientroles.PermissionsOf([]string{clientroles.ReadOnlyRole}), clientroles.CreateApp)}
	slices.Sort(maker.Permissions)
	_, within, err := f.svc.CreateApplication(ctx, maker, ApplicationInput{Name: ptr("Within"), FirstClientRoleIDs: ptr([]string{clientroles.ReadOnlyRole})})
	must(t, err, "a client gives a role it holds")
	if !slices.Equal(within.Client.RoleIDs, []string{clientroles.ReadOnlyRole}) {
		t.Errorf("first client holds %q", within.Client.RoleIDs)
	}
	_, _, err = f.svc.CreateApplication(ctx, maker, ApplicationInput{Name: ptr("Beyond"), FirstClientRoleIDs: ptr([]string{clientroles.UserAdminRole})})
	wantFault(t, err, fault.Forbidden, clientroles.CodeInsufficientPermissions, "first_client roles beyond the caller's")
	after, err := f.svc.ListApplications(ctx, admin)
	must(t, err, "list")
	if len(after) != len(before)+1 {
		t.Errorf("refused creations changed the applications: %d, then %d (one made within)", len(before), len(after))
	}
}
