package directory

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Proof is what vouches for a change to a user's sign-in credentials besides the calling
// application's token.
type Proof int

const (
	// ByCaller is the application's word alone: its client token, or a user access token
	// from a login the application may have run itself (a code it sent itself by the direct
	// channel signs in any user it has linked, without the person).
	ByCaller Proof = iota
	// ByUser is the person's own proof, independent of the application: the password being
	// replaced, or a code Latchkey delivered to the address the user has on file. It gives
	// the application nothing it could not already sign in with everywhere.
	ByUser
)

// CredentialGrant is permission to write the sign-in credentials of one user. Only
// AllowCredential makes one, and every write of a password, TOTP key, recovery code or
// passkey goes through one, so that no way of adding a credential can skip the rule below.
type CredentialGrant struct {
	tenantID, appID, userID string
}

var errGrantMismatch = fault.Wrap(errors.New("credential write outside its grant"), "write credential")

// AllowCredential applies the one rule for adding or replacing anything a user signs in with
// (password, TOTP key, recovery codes, passkey): a management caller may, and so may an
// application for a user who is its own (see Shared); for any other user an application
// needs the person's own proof. A credential is the user's across the tenant (a password or
// TOTP key works in every application they belong to; a passkey in every application on the
// same relying party), so an application that merely linked a user (as user creation does
// for an existing email address) must not be able to give them one: it would sign in as
// them in the applications they came from.
//
// st should be the transaction that writes the credential, so that a user who became shared
// while a ceremony was open is refused when it finishes.
func AllowCredential(ctx context.Context, st Memberships, c model.Caller, userID string, proof Proof) (CredentialGrant, error) {
	if userID == "" {
		return CredentialGrant{}, errGrantMismatch
	}
	if !c.Admin && proof != ByUser {
		if err := RequireOwn(ctx, st, c, userID); err != nil {
			return CredentialGrant{}, err
		}
	}
	return CredentialGrant{tenantID: c.TenantID, appID: c.AppID, userID: userID}, nil
}

// Create stores a new credential of the granted user, recording the application it was
// added through.
func (g CredentialGrant) Create(ctx context.Context, tx storage.Credentials, cred model.Credential) error {
	if g.userID == "" || cred.TenantID != g.tenantID || cred.UserID != g.userID {
		return errGrantMismatch
	}
	cred.AppID = g.appID
	return tx.CreateCredential(ctx, cred)
}

// Update changes a credential of the granted user; one of another user is not found.
func (g CredentialGrant) Update(ctx context.Context, tx storage.Credentials, id string, fn func(model.Credential) (model.Credential, error)) error {
	if g.userID == "" {
		return errGrantMismatch
	}
	return tx.UpdateCredential(ctx, g.tenantID, id, func(cur model.Credential) (model.Credential, error) {
		if cur.UserID != g.userID {
			return cur, errGrantMismatch
		}
		return fn(cur)
	})
}
