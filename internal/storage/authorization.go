package storage

// The stores of authorization data: application roles, user groups and organizations.

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// Roles stores applications' roles and their assignments to users. A role's name is unique
// within its application (a *DuplicateError with Field "name"). Deleting a role deletes its
// assignments; deleting a user or an application deletes theirs (and the application's roles).
type Roles interface {
	CreateRole(ctx context.Context, r model.Role) error
	GetRole(ctx context.Context, tenantID, appID, id string) (model.Role, error)
	// ListRoles returns the application's roles, oldest first.
	ListRoles(ctx context.Context, tenantID, appID string) ([]model.Role, error)
	UpdateRole(ctx context.Context, tenantID, appID, id string, updater func(model.Role) (model.Role, error)) error
	DeleteRole(ctx context.Context, tenantID, appID, id string) error
	// AssignRole records an assignment; assigning a role the user already has changes nothing.
	// The role must exist in the assignment's application (else ErrNotFound).
	AssignRole(ctx context.Context, a model.RoleAssignment) error
	// UnassignRole removes an assignment, or returns ErrNotFound when there is none.
	UnassignRole(ctx context.Context, tenantID, appID, roleID, userID string) error
	// UserRoles returns the roles the user holds in the application, by name, in one read.
	UserRoles(ctx context.Context, tenantID, appID, userID string) ([]model.Role, error)
}

// RoleGroups stores applications' role groups. A group's name is unique within its application
// (a *DuplicateError with Field "name"). Its role ids are kept as given: callers check that they
// name roles of the application, and drop, on reading, those of roles deleted since. Deleting
// an application deletes its role groups.
type RoleGroups interface {
	CreateRoleGroup(ctx context.Context, g model.RoleGroup) error
	GetRoleGroup(ctx context.Context, tenantID, appID, id string) (model.RoleGroup, error)
	// ListRoleGroups returns the application's role groups, oldest first.
	ListRoleGroups(ctx context.Context, tenantID, appID string) ([]model.RoleGroup, error)
}

// OrgAppRoles stores, per organization and application, the roles and role groups the
// organization's members may be given (Mosaic's organization roles and role groups). Ids are
// kept as given: callers check them. Deleting the organization or the application deletes
// them.
type OrgAppRoles interface {
	// SetOrgAppRoles replaces both lists.
	SetOrgAppRoles(ctx context.Context, tenantID, orgID, appID string, roleIDs, groupIDs []string, at time.Time) error
	// GetOrgAppRoles returns both lists; empty ones when none were set.
	GetOrgAppRoles(ctx context.Context, tenantID, orgID, appID string) (roleIDs, groupIDs []string, err error)
}

// OrgLogos stores organizations' logos, one per organization; deleting the organization
// deletes it.
type OrgLogos interface {
	// SetOrgLogo stores or replaces the organization's logo.
	SetOrgLogo(ctx context.Context, tenantID, orgID string, logo model.OrgLogo) error
	// GetOrgLogo returns the organization's logo, or ErrNotFound when it has none.
	GetOrgLogo(ctx context.Context, tenantID, orgID string) (model.OrgLogo, error)
}

// ClientRoles stores the client roles tenants define. A name is unique within its tenant (a
// *DuplicateError with Field "name"). The store keeps no link to the clients holding a role:
// the tenancy package rewrites their role lists and CustomPermissions in the same transaction
// as a role's change or deletion.
type ClientRoles interface {
	CreateClientRole(ctx context.Context, r model.ClientRole) error
	GetClientRole(ctx context.Context, tenantID, id string) (model.ClientRole, error)
	// ListClientRoles returns the tenant's client roles, oldest first.
	ListClientRoles(ctx context.Context, tenantID string) ([]model.ClientRole, error)
	UpdateClientRole(ctx context.Context, tenantID, id string, updater func(model.ClientRole) (model.ClientRole, error)) error
	DeleteClientRole(ctx context.Context, tenantID, id string) error
}

// Groups stores user groups and who belongs to them. Names are unique within a tenant (a
// *DuplicateError with Field "name"). Deleting a group deletes its memberships; deleting a user
// deletes theirs.
type Groups interface {
	CreateGroup(ctx context.Context, g model.Group) error
	GetGroup(ctx context.Context, tenantID, id string) (model.Group, error)
	// ListGroups returns the tenant's groups, oldest first.
	ListGroups(ctx context.Context, tenantID string) ([]model.Group, error)
	UpdateGroup(ctx context.Context, tenantID, id string, updater func(model.Group) (model.Group, error)) error
	DeleteGroup(ctx context.Context, tenantID, id string) error
	// AddGroupUsers makes each of userIDs a member of the group at at; one already a member
	// stays as they are. It checks neither the group nor the users: callers do.
	AddGroupUsers(ctx context.Context, tenantID, groupID string, userIDs []string, at time.Time) error
	// RemoveGroupUser ends one membership, or returns ErrNotFound when there is none.
	RemoveGroupUser(ctx context.Context, tenantID, groupID, userID string) error
	// ListGroupUsers returns the ids of the group's members, in the order they joined.
	ListGroupUsers(ctx context.Context, tenantID, groupID string) ([]string, error)
	// ListUserGroups returns the groups a user belongs to, oldest group first, in one read.
	ListUserGroups(ctx context.Context, tenantID, userID string) ([]model.Group, error)
	// ListUsersGroupIDs returns, for each of userIDs that belongs to a group, the ids of its
	// groups, oldest group first, reading them in batches rather than user by user.
	ListUsersGroupIDs(ctx context.Context, tenantID string, userIDs []string) (map[string][]string, error)
}

// Organizations stores B2B organizations, their members and the members' roles per
// application. Names are unique within a tenant (a *DuplicateError with Field "name"), and a
// user is a member of an organization once (ErrAlreadyExists). Deleting an organization
// deletes its memberships; deleting a user deletes theirs; deleting a role (or its
// application) takes it from every member.
type Organizations interface {
	CreateOrganization(ctx context.Context, o model.Organization) error
	GetOrganization(ctx context.Context, tenantID, id string) (model.Organization, error)
	GetOrganizationByName(ctx context.Context, tenantID, name string) (model.Organization, error)
	// ListOrganizations returns the tenant's organizations, oldest first.
	ListOrganizations(ctx context.Context, tenantID string) ([]model.Organization, error)
	UpdateOrganization(ctx context.Context, tenantID, id string, updater func(model.Organization) (model.Organization, error)) error
	DeleteOrganization(ctx context.Context, tenantID, id string) error
	// CreateMember stores a membership. It checks neither the organization nor the user.
	CreateMember(ctx context.Context, m model.Member) error
	GetMember(ctx context.Context, tenantID, orgID, userID string) (model.Member, error)
	// ListMembers returns an organization's memberships, oldest first.
	ListMembers(ctx context.Context, tenantID, orgID string) ([]model.Member, error)
	// ListUserMemberships returns a user's memberships, oldest first.
	ListUserMemberships(ctx context.Context, tenantID, userID string) ([]model.Member, error)
	UpdateMember(ctx context.Context, tenantID, orgID, userID string, updater func(model.Member) (model.Member, error)) error
	DeleteMember(ctx context.Context, tenantID, orgID, userID string) error
	// SetMemberRoles replaces the member's roles in the application with roleIDs; an id that
	// is not a role of the application is skipped (callers check them first).
	SetMemberRoles(ctx context.Context, tenantID, orgID, appID, userID string, roleIDs []string, at time.Time) error
	// MemberRoles returns the member's roles in the application, by name, in one read.
	MemberRoles(ctx context.Context, tenantID, orgID, appID, userID string) ([]model.Role, error)
	// HeldRoleIDs returns the ids of the roles the organization's members hold in the
	// application, each once, sorted, in one read.
	HeldRoleIDs(ctx context.Context, tenantID, orgID, appID string) ([]string, error)
	// UserMemberRoles returns every role the user holds in any organization.
	UserMemberRoles(ctx context.Context, tenantID, userID string) ([]model.MemberRole, error)
	// GetOrgLogin reads the organization and the user's membership of it in one read, or
	// returns ErrNotFound when either is missing.
	GetOrgLogin(ctx context.Context, tenantID, orgID, userID string) (model.OrgLogin, error)
}
