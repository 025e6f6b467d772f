package tenancy

import (
	"slices"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/model"
)

// Mosaic authorises the application-level operations (an application, its clients, its login
// preferences) with the access token of that application as well as with a management
// application's admin token. A client token reaches its own application only: any other
// application's id is answered as not found, as ids of another tenant are, so that a token
// cannot tell which ids exist. Tenant-wide operations (creating, listing and deleting
// applications, resources, signing keys) take a permission of the client's roles (package
// clientroles), which the route checks.

// inScope checks that the caller may act on the application appID.
func inScope(c model.Caller, appID string) error {
	if c.TenantID == "" || (!c.Admin && appID != c.AppID) {
		return errAppNotFound
	}
	return nil
}

// checkResourceChange refuses, for a caller whose roles do not grant write:resource, a
// resource list that differs from the current one: a resource is a tenant's API, and which
// clients may get tokens for it is for whoever administers the tenant's resources. Sending the
// list unchanged, in any order (a record read, modified and written back whole), is allowed.
func checkResourceChange(c model.Caller, current []string, next *[]string) error {
	if clientroles.Allowed(c, clientroles.WriteResource) || next == nil || slices.Equal(sortedSet(*next), sortedSet(current)) {
		return nil
	}
	return clientroles.Refuse(clientroles.WriteResource)
}

// sortedSet returns ids without duplicates, sorted.
func sortedSet(ids []string) []string {
	out := dedupe(ids)
	slices.Sort(out)
	return out
}
