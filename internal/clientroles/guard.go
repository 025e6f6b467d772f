package clientroles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// CodeInsufficientPermissions is the error code of a client token whose roles lack what it asks.
const CodeInsufficientPermissions = "insufficient_permissions"

// Refuse is the answer to a client token whose roles do not grant permission: 403 naming it.
func Refuse(permission string) error {
	return fault.New(fault.Forbidden, CodeInsufficientPermissions,
		"this client's roles do not grant %s, which this operation needs", permission)
}

// Allowed reports whether c may call a route that needs need (a permission, Public or Admin).
func Allowed(c model.Caller, need string) bool {
	switch {
	case need == Public || c.Admin:
		return true
	case need == Admin:
		return false
	}
	return slices.Contains(c.Permissions, need)
}

// ManagementRolesProblem refuses roles for a management application's client.
const ManagementRolesProblem = "role_ids: a management application's clients take no roles; their token is the admin token"

// CheckRoleIDs returns a problem for each id that names no role, and for a role list given to a
// management application's client, which holds none (its token already reaches everything).
func CheckRoleIDs(roleIDs []string, managementApp bool) []string {
	var p []string
	if managementApp && len(roleIDs) > 0 {
		p = append(p, ManagementRolesProblem)
	}
	for _, id := range roleIDs {
		if _, ok := catalog[id]; !ok {
			p = append(p, fmt.Sprintf("role_ids: %q is not a client role (known: %s)", clip(id), strings.Join(ids(), ", ")))
		}
	}
	return p
}

// CheckGrant refuses a caller that is not the admin token handing out roles with permissions it
// does not hold itself: a client cannot raise another client, or itself, above its own level.
func CheckGrant(c model.Caller, roleIDs []string) error {
	if c.Admin {
		return nil
	}
	if extra := Beyond(c.Permissions, roleIDs); len(extra) > 0 {
		return fault.New(fault.Forbidden, CodeInsufficientPermissions,
			"a client can only give roles whose permissions it holds itself; it lacks %s", strings.Join(extra, ", "))
	}
	return nil
}

// CheckTakeover refuses a caller that is not the admin token changing, rotating the secret of or
// deleting a client that holds permissions the caller does not: with the client's secret it
// would hold them too.
func CheckTakeover(c model.Caller, target model.Client) error {
	if c.Admin {
		return nil
	}
	if extra := Beyond(c.Permissions, target.RoleIDs); len(extra) > 0 {
		return fault.New(fault.Forbidden, CodeInsufficientPermissions,
			"client %s holds permissions this client lacks (%s); only a client holding them, or the admin token, may change it",
			target.ID, strings.Join(extra, ", "))
	}
	return nil
}

func ids() []string {
	out := make([]string, 0, len(catalog))
	for id := range catalog {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func clip(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
