// Package groups keeps a tenant's user groups: named sets of users with a description and
// custom data the tenant attaches to them (Mosaic's Groups API), who belongs to each, and the
// groups of one user, which the ID token's groups and custom_group_data claims name.
//
// Groups are tenant-wide, like users: every call is scoped by the caller's tenant, so that a
// group of one tenant is simply not found by another's credentials.
package groups
