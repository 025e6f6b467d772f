// Package directory owns a tenant's end users: their profile, their identifiers and the links
// that tie them to applications.
//
// It normalises identifiers (email addresses, E.164 phone numbers, usernames) so that every
// other package looks users up by the same canonical form, validates profiles, and enforces who
// may see whom: an application's client sees only the users linked to its application, a
// management client sees the whole tenant, and nothing ever crosses a tenant. Sign-in itself
// (verifying an email, recording a login) belongs to package auth.
//
// Searches take the SCIM filters of Mosaic's users API (ParseFilter), checked and normalised
// here and run by the store. What the users API shows beside a profile (the login methods a
// user has used, their password's state) is read here for a page of users at once.
//
// It also holds the one rule for who may give a user something to sign in with
// (AllowCredential): every path that writes a password, TOTP key, recovery code or passkey,
// in this package or in auth, does so through the CredentialGrant that rule returns.
package directory
