package tenancy

import (
	"slices"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Mosaic authorises the application-level operations (an application, its clients, its login
// preferences) with the access token of that application as well as with a management
// application's admin token. A client token reaches its own application only: any other
// application's id is answered as not found, as ids of another tenant are, so that a token
// cannot tell which ids exist. Tenant-wide operations (creating, listing and deleting
// applications, resources, signing keys) stay with the admin token, which the route requires.

// inScope checks that the caller may act on the application appID.
func inScope(c model.Caller, appID string) error {
	if c.TenantID == "" || (!c.Admin && appID != c.AppID) {
		return errAppNotFound
	}
	return nil
}

// errResourcesAdminOnly refuses a change of a client's resources with an application's own
// token: a resource is a tenant's API, and which clients may get tokens for it is the
// tenant administrator's decision, not that of one of the applications.
var errResourcesAdminOnly = fault.New(fault.Forbidden, fault.CodeForbidden,
	"changing the resources a client may request takes a management application's token")

// checkResourceChange refuses, for a caller without the admin token, a resource list that
// differs from the current one. Sending the list unchanged, in any order (a record read,
// modified and written back whole), is allowed.
func checkResourceChange(c model.Caller, current []string, next *[]string) error {
	if c.Admin || next == nil || slices.Equal(sortedSet(*next), sortedSet(current)) {
		return nil
	}
	return errResourcesAdminOnly
}

// sortedSet returns ids without duplicates, sorted.
func sortedSet(ids []string) []string {
	out := dedupe(ids)
	slices.Sort(out)
	return out
}
