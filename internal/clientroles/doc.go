// Package clientroles decides which of Latchkey's APIs an application's client may call, as
// Mosaic's client roles do. A client holds roles; each role is a named set of permissions
// (read:user, write:app, ...); the client's permissions are the union of its roles'. Every
// route of the API names the one permission it needs (internal/httpapi's permission table), and
// a client token without it is refused.
//
// The built-in roles are the catalog defined here, the same in every tenant and read-only, as
// Mosaic ships default roles. A tenant defines its own from the same permissions; a Catalog
// holds both. A client keeps the permissions of its tenant-defined roles with it
// (model.Client.CustomPermissions, rewritten by package tenancy when a role changes), so that
// checking its token reads nothing more than the client. A management application's clients
// hold no roles: their token is the tenant's admin token and may call everything.
//
// The package guards against escalation: a client that changes clients can only hand out roles
// whose permissions it holds itself, and can only take over (change, rotate, delete) clients
// whose permissions it holds.
package clientroles
