// Package roles is Latchkey's authorization model for end users: every application defines
// roles, each a named set of permission strings, and gives them to its users. A login puts the
// user's roles and permissions for the application into the tokens it issues (see package
// auth), and the application's own resource servers decide from those claims what the user
// may do. Latchkey never interprets a role's permissions itself.
//
// Roles belong to one application of one tenant: every read and write is scoped by the
// caller's tenant and the application named in the request, so that a role of one
// application (or tenant) cannot be seen, changed or assigned through another.
package roles
