package model

import "time"

// Role is a named set of permissions an application defines for its users (Mosaic's
// application roles). Its name is unique within the application; its permissions are free
// strings the application's own resource servers interpret, such as "reports:read".
type Role struct {
	ID          string
	TenantID    string
	AppID       string
	Name        string // unique within the application
	DisplayName string
	Description string
	Permissions []string // sorted, without duplicates
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RoleAssignment gives a user one of an application's roles.
type RoleAssignment struct {
	TenantID   string
	AppID      string
	RoleID     string
	UserID     string
	AssignedAt time.Time
}

// RoleGroup bundles roles of one application under a name (Mosaic's role groups). Mosaic adds
// role groups to organizations, so that a member of the organization can be given the roles
// of its groups; a group grants nothing by itself. Its name is unique within the application.
type RoleGroup struct {
	ID          string
	TenantID    string
	AppID       string
	Name        string
	DisplayName string
	Description string
	RoleIDs     []string // in the order given, without duplicates
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// OrgAllowedRoles is the set of roles an organization lets its members hold in one
// application: the roles it lists directly with the roles of the role groups it lists (a group
// deleted since adds nothing). It is nil, no restriction, when both lists are empty, so that
// an organization nobody configured keeps giving any of the application's roles.
func OrgAllowedRoles(roleIDs, groupIDs []string, groups []RoleGroup) map[string]bool {
	if len(roleIDs) == 0 && len(groupIDs) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, id := range roleIDs {
		out[id] = true
	}
	for _, g := range groups {
		for _, id := range groupIDs {
			if g.ID == id {
				for _, r := range g.RoleIDs {
					out[r] = true
				}
			}
		}
	}
	return out
}
