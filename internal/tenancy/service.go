package tenancy

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Keyring makes sure the deployment has token-signing keys. Bootstrap calls it once the tenant
// exists, so that the tenant can issue tokens straight away. Tenants share the deployment's
// keys unless given keys of their own (see package token), so a new tenant needs no key.
type Keyring interface {
	EnsureDeploymentKeys(ctx context.Context) error
}

// Options tune a Service. The zero value is ready to use.
type Options struct {
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Languages are those Latchkey writes messages in; a tenant's default language must be
	// one of them. Nil accepts any well-formed language tag.
	Languages Languages
}

// Languages says which languages messages can be written in (delivery.Texts is one).
type Languages interface {
	Speaks(tag string) bool
	Languages() []string
}

// Service manages tenants, applications, clients, resources and login preferences.
type Service struct {
	store   storage.Store
	keys    *secret.Keys
	keyring Keyring
	now     func() time.Time
	langs   Languages
}

// New returns a Service over store. keys hash client secrets; keyring provisions the deployment's
// signing keys when a tenant is bootstrapped.
func New(store storage.Store, keys *secret.Keys, keyring Keyring, opts Options) *Service {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, keys: keys, keyring: keyring, now: now, langs: opts.Languages}
}

// IssuedClient is a client together with its secret in the clear. The secret exists only in
// this value: it is shown to the caller once and never stored.
type IssuedClient struct {
	Client model.Client
	Secret string
}

// timestamp returns the current time as storage keeps it: UTC, to the millisecond, so that
// what a method returns equals what a later read returns.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

// Public errors. Ids of another tenant get the same not-found errors as ids that name nothing.
var (
	errAppNotFound      = fault.New(fault.NotFound, fault.CodeAppNotFound, "application not found")
	errClientNotFound   = fault.New(fault.NotFound, fault.CodeClientNotFound, "client not found")
	errResourceNotFound = fault.New(fault.NotFound, fault.CodeResourceNotFound, "resource not found")
	errInvalidClient    = fault.New(fault.Unauthenticated, "invalid_client", "client authentication failed")
	errResourceURITaken = fault.New(fault.Conflict, fault.CodeConflict, "a resource with this uri already exists")
)

// storeErr turns a storage error into a public one: faults (returned by updaters) pass
// through, a missing record becomes notFound, and anything else is an internal error.
func storeErr(err error, notFound *fault.Error, op string) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	if notFound != nil && errors.Is(err, storage.ErrNotFound) {
		return notFound.With(err)
	}
	return fault.Wrap(err, op)
}

// newSecret returns a fresh client secret and its stored hash.
func (s *Service) newSecret() (string, []byte) {
	sec := secret.NewClientSecret()
	return sec, s.keys.HashClientSecret(sec)
}

// clientOf reads a client and checks that it belongs to the caller's tenant and to appID.
func clientOf(ctx context.Context, st storage.Store, c model.Caller, appID, clientID string) (model.Client, error) {
	cl, err := st.GetClient(ctx, clientID)
	if err != nil {
		return model.Client{}, storeErr(err, errClientNotFound, "get client")
	}
	if cl.TenantID != c.TenantID || cl.AppID != appID || c.TenantID == "" {
		return model.Client{}, errClientNotFound
	}
	return cl, nil
}
