package archtest

import "testing"

// grantFile is where directory.CredentialGrant writes credentials: the one place that may
// call the store's CreateCredential, after directory.AllowCredential applied the rule of who
// may give a user a way to sign in.
const grantFile = "internal/directory/credentials.go"

// credentialUses are the functions that may update a credential without a grant, each with
// why the update gives no one a new way to sign in.
var credentialUses = map[string]string{
	"internal/auth/totp/authenticate.go:checkTOTP":         "records the time step a login used",
	"internal/auth/totp/authenticate.go:spendRecoveryCode": "marks a recovery code used",
	"internal/auth/passkeys/login.go:advanceCounter":       "records a login's signature counter, and binds an old passkey to the relying party its attestation names",
	"internal/auth/passkeys/manage.go:RenamePasskey":       "changes a passkey's label",
}

// Every write of a sign-in credential goes through a directory.CredentialGrant, so that a new
// way of adding one cannot forget the rule: a call of the store's CreateCredential anywhere
// else, or of UpdateCredential outside the functions listed above, fails this test.
func TestCredentialWritesGoThroughTheGrant(t *testing.T) {
	eachMethodCall(t, func(c methodCall) {
		where := c.file + ":" + c.fn
		switch c.method {
		case "CreateCredential":
			if c.file != grantFile {
				t.Errorf("%s (%s) creates a credential without a directory.CredentialGrant", where, c.pos)
			}
		case "UpdateCredential":
			if _, listed := credentialUses[where]; c.file != grantFile && !listed {
				t.Errorf("%s (%s) updates a credential without a directory.CredentialGrant; use one, or list the function "+
					"in credentialUses with why the update adds no way to sign in", where, c.pos)
			}
		}
	})
}

// lockoutFile is where auth.Lockout runs the one lockout sequence of every login method.
const lockoutFile = "internal/auth/lockout.go"

// Every login method checks, sets and lifts lockouts through auth.Lockout, so that the order
// of its steps (lock the attempt, read every key at once, count, lock every key) is the same
// for every credential: a call of the store's lockout methods anywhere else fails this test.
func TestLockoutsGoThroughTheCore(t *testing.T) {
	eachMethodCall(t, func(c methodCall) {
		switch c.method {
		case "LockKey", "GetLockout", "ActiveLockout", "PutLockout", "DeleteLockout", "CodeAttempt":
			if c.file != lockoutFile {
				t.Errorf("%s:%s (%s) calls the store's %s; use auth.Lockout", c.file, c.fn, c.pos, c.method)
			}
		}
	})
}
