package clientroles

import (
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

// CheckRoleIDs checks roleIDs against the built-in roles only (Catalog.CheckRoleIDs takes a
// tenant's own roles too).
func CheckRoleIDs(roleIDs []string, managementApp bool) []string {
	return Catalog{}.CheckRoleIDs(roleIDs, managementApp)
}

// CheckGrant checks roleIDs against the built-in roles only (see Catalog.CheckGrant).
func CheckGrant(c model.Caller, roleIDs []string) error { return Catalog{}.CheckGrant(c, roleIDs) }

// CheckTakeover refuses a caller that is not the admin token changing, rotating the secret of or
// deleting a client that holds permissions the caller does not: with the client's secret it
// would hold them too.
func CheckTakeover(c model.Caller, target model.Client) error {
	if c.Admin {
		return nil
	}
	if extra := lacking(c.Permissions, ClientPermissions(target)); len(extra) > 0 {
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
