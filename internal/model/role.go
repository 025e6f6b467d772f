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
