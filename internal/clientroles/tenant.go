package clientroles

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Catalog is the client roles of one tenant: the built-in ones and those the tenant defines.
// The zero Catalog holds the built-in ones only.
type Catalog struct {
	custom map[string]Role
}

// NewCatalog returns the catalog of a tenant whose own roles are custom.
func NewCatalog(custom []model.ClientRole) Catalog {
	k := Catalog{custom: make(map[string]Role, len(custom))}
	for _, r := range custom {
		k.custom[r.ID] = Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: slices.Clone(r.Permissions)}
	}
	return k
}

// IsBuiltIn reports whether id names one of the built-in roles, which no tenant can change.
func IsBuiltIn(id string) bool {
	_, ok := catalog[id]
	return ok
}

func (k Catalog) lookup(id string) (Role, bool) {
	if r, ok := catalog[id]; ok {
		return r, true
	}
	r, ok := k.custom[id]
	return r, ok
}

// PermissionsOf returns the union of the permissions of the roles named, sorted; ids that
// name no role are skipped.
func (k Catalog) PermissionsOf(roleIDs []string) []string {
	var out []string
	for _, id := range roleIDs {
		r, _ := k.lookup(id)
		for _, p := range r.Permissions {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// CustomPermissions returns, sorted, the permissions the tenant's own roles among roleIDs
// grant: what a client holding roleIDs keeps as its CustomPermissions.
func (k Catalog) CustomPermissions(roleIDs []string) []string {
	out := []string{}
	for _, id := range roleIDs {
		if IsBuiltIn(id) {
			continue
		}
		out = append(out, k.custom[id].Permissions...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Beyond returns, sorted, the permissions of the roles named that have does not hold.
func (k Catalog) Beyond(have []string, roleIDs []string) []string {
	return lacking(have, k.PermissionsOf(roleIDs))
}

// CheckRoleIDs returns a problem for each id that names no role of the catalog, and for a role
// list given to a management application's client, which holds none.
func (k Catalog) CheckRoleIDs(roleIDs []string, managementApp bool) []string {
	var p []string
	if managementApp && len(roleIDs) > 0 {
		p = append(p, ManagementRolesProblem)
	}
	for _, id := range roleIDs {
		if _, ok := k.lookup(id); !ok {
			p = append(p, fmt.Sprintf("role_ids: %q is not a client role (built-in: %s; or one of the tenant's own roles)",
				clip(id), strings.Join(ids(), ", ")))
		}
	}
	return p
}

// CheckGrant refuses a caller that is not the admin token handing out roles with permissions it
// does not hold itself.
func (k Catalog) CheckGrant(c model.Caller, roleIDs []string) error {
	return CheckPermissions(c, k.PermissionsOf(roleIDs))
}

// CheckPermissions refuses a caller that is not the admin token handing out, through a role it
// gives or defines, permissions it does not hold itself.
func CheckPermissions(c model.Caller, perms []string) error {
	if c.Admin {
		return nil
	}
	if extra := lacking(c.Permissions, perms); len(extra) > 0 {
		return fault.New(fault.Forbidden, CodeInsufficientPermissions,
			"a client can only give roles whose permissions it holds itself; it lacks %s", strings.Join(extra, ", "))
	}
	return nil
}
