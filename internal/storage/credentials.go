package storage

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// The stores of a user's credentials and details, and of cross-device sign-ins.

// Credentials stores users' authenticators. LookupKey is unique per tenant and type when not
// empty: a create or update that takes another credential's key fails with a *DuplicateError
// whose Field is "lookup_key", and an empty key never collides nor matches. Deleting a user
// deletes their credentials.
type Credentials interface {
	CreateCredential(ctx context.Context, c model.Credential) error
	GetCredential(ctx context.Context, tenantID, id string) (model.Credential, error)
	// GetCredentialByLookup finds a credential by type and lookup key, whatever its user.
	GetCredentialByLookup(ctx context.Context, tenantID, typ, lookupKey string) (model.Credential, error)
	// ListCredentials returns a user's credentials of one type (all types when typ is
	// empty), oldest first (ties by insertion order).
	ListCredentials(ctx context.Context, tenantID, userID, typ string) ([]model.Credential, error)
	// UpdateCredential cannot change a credential's ID, TenantID or UserID.
	UpdateCredential(ctx context.Context, tenantID, id string, updater func(model.Credential) (model.Credential, error)) error
	DeleteCredential(ctx context.Context, tenantID, id string) error
}

// UserDetails reads, for a page of users at once, what the users API shows beside their
// profiles: the state of their passwords and how they have signed in.
type UserDetails interface {
	// ListUserCredentials returns the credentials of type typ that any of userIDs has, in no
	// particular order, reading them in batches rather than user by user.
	ListUserCredentials(ctx context.Context, tenantID, typ string, userIDs []string) ([]model.Credential, error)
	// ListLoginMethods returns, for each of userIDs and each login method (an AMR value) they
	// have signed in with, the first and last of their login.succeeded audit events with it,
	// in no particular order.
	ListLoginMethods(ctx context.Context, tenantID string, userIDs []string) ([]model.LoginMethodUse, error)
}

type freshKey struct{}

// Fresh marks ctx so that reads made with it go to the database even where a store keeps a
// copy of records (tenants, applications, clients). Callers use it to check again, at the
// source, a refusal that a stale copy could explain: a client secret rotated on another node.
func Fresh(ctx context.Context) context.Context { return context.WithValue(ctx, freshKey{}, true) }

// IsFresh reports whether ctx asks for reads from the database.
func IsFresh(ctx context.Context) bool { v, _ := ctx.Value(freshKey{}).(bool); return v }

type stampKey struct{ clientID string }

// WithClientStamp marks ctx with a client's stamp read from the database in this request,
// together with another record (GetSessionLifeAndClientStamp): a read of that client that
// must be current (Fresh) may use it instead of reading the stamp again. Only a stamp read
// in the same request may be given, since a copy at that stamp is taken as the client now.
func WithClientStamp(ctx context.Context, clientID string, stamp int64) context.Context {
	return context.WithValue(ctx, stampKey{clientID}, stamp)
}

// ClientStampOf returns the stamp WithClientStamp gave ctx for the client.
func ClientStampOf(ctx context.Context, clientID string) (int64, bool) {
	v, ok := ctx.Value(stampKey{clientID}).(int64)
	return v, ok
}

// CrossDevice stores the tickets of cross-device WebAuthn flows.
type CrossDevice interface {
	CreateCrossDeviceTicket(ctx context.Context, t model.CrossDeviceTicket) error
	// FindCrossDeviceTicket returns the ticket whose keyed hash is hash, of whichever tenant:
	// the ticket is all the public steps of a flow carry. Hashes are unique.
	FindCrossDeviceTicket(ctx context.Context, hash []byte) (model.CrossDeviceTicket, error)
	GetCrossDeviceTicket(ctx context.Context, tenantID, id string) (model.CrossDeviceTicket, error)
	UpdateCrossDeviceTicket(ctx context.Context, tenantID, id string, updater func(model.CrossDeviceTicket) (model.CrossDeviceTicket, error)) error
}
