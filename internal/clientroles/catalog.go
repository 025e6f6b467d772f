package clientroles

import (
	"slices"
	"sort"

	"github.com/latchkey/latchkey/internal/model"
)

// Permissions a client role can grant, in Mosaic's action:object form. Each covers a group of
// routes (internal/httpapi's permission table says which).
const (
	// AuthenticateUser covers backend authentication: sending and checking codes and links,
	// passwords, TOTP, passkeys, sessions, refresh and logout.
	AuthenticateUser = "authenticate:user"
	ReadUser         = "read:user"   // reading users and their credentials' metadata
	WriteUser        = "write:user"  // creating and changing users and their credentials
	DeleteUser       = "delete:user" // deleting users
	ReadGroup        = "read:group"
	WriteGroup       = "write:group"
	// ReadApp and WriteApp cover the client's own application: the application, its clients,
	// its login preferences.
	ReadApp  = "read:app"
	WriteApp = "write:app"
	// ListApps, CreateApp and DeleteApp reach across the tenant's applications.
	ListApps        = "list:app"
	CreateApp       = "create:app"
	DeleteApp       = "delete:app"
	ReadResource    = "read:resource"
	WriteResource   = "write:resource" // resources, and which clients may request tokens for them
	ReadSigningKey  = "read:signing_key"
	WriteSigningKey = "write:signing_key"
	// WriteClientRole covers defining the tenant's own client roles. Only the tenant-wide
	// role grants it among the built-in ones.
	WriteClientRole = "write:client_role"
)

// Route requirements that are not permissions a role grants.
const (
	// Public routes take no client token at all.
	Public = "public"
	// Admin routes take a management application's token only; no role reaches them.
	Admin = "admin"
)

// permissions is every permission a role can grant, sorted.
var permissions = []string{
	AuthenticateUser, CreateApp, DeleteApp, DeleteUser, ListApps, ReadApp, ReadGroup, ReadResource,
	ReadSigningKey, ReadUser, WriteApp, WriteClientRole, WriteGroup, WriteResource, WriteSigningKey, WriteUser,
}

// Permissions returns every permission a role can grant, sorted.
func Permissions() []string { return slices.Clone(permissions) }

// IsPermission reports whether p is a permission a role can grant.
func IsPermission(p string) bool {
	_, ok := slices.BinarySearch(permissions, p)
	return ok
}

// Role is a named set of permissions.
type Role struct {
	ID          string
	Name        string
	Description string
	Permissions []string // sorted
}

// Role ids. They are fixed names rather than generated ids: the catalog is the same in every
// tenant, and a backend configures them by name.
const (
	// DefaultRole is what every new client of an ordinary application gets unless it is given
	// roles: what an application's backend needs to log its users in and manage them, its
	// groups and its own application.
	DefaultRole   = "application"
	ReadOnlyRole  = "read-only"
	LoginRole     = "authentication"
	UserAdminRole = "user-admin"
	// TenantAdminRole holds every permission, the tenant-wide application operations
	// included. It is still not the admin token: the routes marked Admin stay out of reach.
	TenantAdminRole = "tenant-admin"
)

var catalog = map[string]Role{
	DefaultRole: {ID: DefaultRole, Name: "Application",
		Description: "logs users in and manages the tenant's users, groups and its own application",
		Permissions: sorted(AuthenticateUser, ReadUser, WriteUser, DeleteUser, ReadGroup, WriteGroup, ReadApp, WriteApp)},
	ReadOnlyRole: {ID: ReadOnlyRole, Name: "Read only",
		Description: "reads users, groups, applications, resources and signing keys; changes nothing",
		Permissions: sorted(ReadUser, ReadGroup, ReadApp, ListApps, ReadResource, ReadSigningKey)},
	LoginRole: {ID: LoginRole, Name: "Authentication",
		Description: "logs users in and reads them, without changing them",
		Permissions: sorted(AuthenticateUser, ReadUser)},
	UserAdminRole: {ID: UserAdminRole, Name: "User administration",
		Description: "manages users and groups, without logging anyone in",
		Permissions: sorted(ReadUser, WriteUser, DeleteUser, ReadGroup, WriteGroup)},
	TenantAdminRole: {ID: TenantAdminRole, Name: "Tenant administration",
		Description: "every permission, applications, resources and signing keys of the whole tenant included",
		Permissions: Permissions()},
}

func sorted(ps ...string) []string {
	out := slices.Clone(ps)
	sort.Strings(out)
	return out
}

// Roles returns the catalog, sorted by id.
func Roles() []Role {
	out := make([]Role, 0, len(catalog))
	for _, r := range catalog {
		r.Permissions = slices.Clone(r.Permissions)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the role with the given id.
func Lookup(id string) (Role, bool) {
	r, ok := catalog[id]
	r.Permissions = slices.Clone(r.Permissions)
	return r, ok
}

// PermissionsOf returns the union of the permissions of the built-in roles named, sorted; ids
// that name no built-in role are skipped (a stored id the catalog has since dropped grants
// nothing). A tenant's own roles are Catalog's.
func PermissionsOf(roleIDs []string) []string { return Catalog{}.PermissionsOf(roleIDs) }

// Beyond returns, sorted, the permissions of the built-in roles named that have does not hold:
// what a holder of have would gain by handing those roles out.
func Beyond(have []string, roleIDs []string) []string { return Catalog{}.Beyond(have, roleIDs) }

// ClientPermissions returns what a client's token may do, sorted: its built-in roles'
// permissions and those its tenant-defined roles grant (kept with the client).
func ClientPermissions(cl model.Client) []string {
	if len(cl.CustomPermissions) == 0 {
		return PermissionsOf(cl.RoleIDs)
	}
	return union(PermissionsOf(cl.RoleIDs), cl.CustomPermissions)
}

// lacking returns, sorted, the permissions of want that have does not hold.
func lacking(have, want []string) []string {
	var out []string
	for _, p := range want {
		if !slices.Contains(have, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// union returns the sorted union of lists, without duplicates.
func union(lists ...[]string) []string {
	out := []string{}
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}
