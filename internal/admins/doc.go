// Package admins is who may run a tenant from the admin portal, and how they prove it.
//
// A tenant's administrators are users of its management application who hold that
// application's "admin" role (package roles). They sign in through the same pipeline as every
// other user (package auth: an email passcode here, with its limits, lockouts, decoys and audit
// events), and the session that login creates is the portal session: it is listed, revoked
// and expired like any other, with the portal's tighter idle and absolute limits on top.
//
// The first administrator of a tenant is set up through a one-time link, printed by
// `latchkey init` and by the first start, which is a one-time code of the management
// application stored only as a keyed hash.
//
// Every change an administrator makes through the portal is recorded in the audit log as an
// admin.change event naming the administrator (Record).
package admins
