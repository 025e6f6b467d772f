// Package orgs keeps a tenant's B2B organizations (Mosaic's Organizations and Members APIs):
// business customers and partners with their email domains and the applications their members
// may use, the users who are their members, and each member's roles per application.
//
// It also decides the two things organizations change elsewhere: whether a login that names an
// organization (an authenticate call's org_id) may go ahead, and whether an end user's access
// token from such a login speaks for the organization's administrator (Mosaic's
// OrgAdminAccessToken). Every call is scoped by the caller's tenant, so that one tenant's
// organization is simply not found by another's credentials.
package orgs
