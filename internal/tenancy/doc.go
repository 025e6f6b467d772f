// Package tenancy owns a tenant's configuration: the tenant itself and its first-run bootstrap,
// applications and their login preferences, clients and their secrets, and resources.
//
// Every administrative method takes a model.Caller and reads or writes only the caller's
// tenant: an id of another tenant is simply not found. A caller without the admin role (an
// application's own client token) reaches only its own application, as Mosaic's application
// operations allow: any other application is not found (scope.go). Client secrets are
// generated here, shown once, and stored only as keyed hashes; AuthenticateClient checks a
// presented secret against that hash in constant time. Validation lists every problem of a
// request at once.
//
// An application's default client, which Mosaic's application object describes in its client_*
// fields, is its first client: the oldest, in creation order.
package tenancy
