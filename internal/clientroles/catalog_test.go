package clientroles

import (
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

func TestCatalog(t *testing.T) {
	roles := Roles()
	if len(roles) == 0 {
		t.Fatal("no roles")
	}
	for _, r := range roles {
		if r.Name == "" || r.Description == "" || len(r.Permissions) == 0 || !slices.IsSorted(r.Permissions) {
			t.Errorf("role %s: %+v", r.ID, r)
		}
		for _, p := range r.Permissions {
			if !IsPermission(p) {
				t.Errorf("role %s grants %q, which is not a permission", r.ID, p)
			}
		}
	}
	if _, ok := Lookup(DefaultRole); !ok {
		t.Errorf("the default role %q is not in the catalog", DefaultRole)
	}
	if all, _ := Lookup(TenantAdminRole); !slices.Equal(all.Permissions, Permissions()) {
		t.Errorf("tenant-admin grants %q, want every permission", all.Permissions)
	}
	// Roles are copies: changing one does not change the catalog.
	r, _ := Lookup(ReadOnlyRole)
	r.Permissions[0] = WriteUser
	if again, _ := Lookup(ReadOnlyRole); slices.Contains(again.Permissions, WriteUser) {
		t.Errorf("Lookup handed out the catalog's own slice")
	}
}

func TestPermissionsOfAndBeyond(t *testing.T) {
	got := PermissionsOf([]string{LoginRole, ReadOnlyRole, "no-such-role"})
	want := []string{AuthenticateUser, ListApps, ReadApp, ReadGroup, ReadResource, ReadSigningKey, ReadUser}
	if !slices.Equal(got, want) {
		t.Errorf("PermissionsOf = %q, want %q", got, want)
	}
	if extra := Beyond(PermissionsOf([]string{DefaultRole}), []string{LoginRole}); len(extra) != 0 {
		t.Errorf("authentication is within the default role, yet Beyond = %q", extra)
	}
	if extra := Beyond(PermissionsOf([]string{LoginRole}), []string{UserAdminRole}); !slices.Equal(extra, []string{DeleteUser, ReadGroup, WriteGroup, WriteUser}) {
		t.Errorf("Beyond = %q", extra)
	}
}

func TestAllowed(t *testing.T) {
	reader := model.Caller{Permissions: PermissionsOf([]string{ReadOnlyRole})}
	admin := model.Caller{Admin: true}
	none := model.Caller{}
	cases := []struct {
		c    model.Caller
		need string
		want bool
	}{
		{reader, ReadUser, true}, {reader, WriteUser, false}, {reader, Admin, false}, {reader, Public, true},
		{admin, WriteSigningKey, true}, {admin, Admin, true},
		{none, ReadUser, false}, {none, Public, true},
	}
	for _, c := range cases {
		if got := Allowed(c.c, c.need); got != c.want {
			t.Errorf("Allowed(%+v, %s) = %v, want %v", c.c, c.need, got, c.want)
		}
	}
	if err := CheckGrant(reader, []string{TenantAdminRole}); err == nil {
		t.Errorf("a reader gave tenant-admin")
	}
	if err := CheckGrant(admin, []string{TenantAdminRole}); err != nil {
		t.Errorf("the admin token gives any role: %v", err)
	}
	if p := CheckRoleIDs([]string{ReadOnlyRole, "x"}, true); len(p) != 2 {
		t.Errorf("CheckRoleIDs = %q, want the management problem and the unknown role", p)
	}
}
