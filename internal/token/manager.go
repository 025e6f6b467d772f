package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// KeyStore is the part of storage a Manager needs.
type KeyStore interface {
	storage.SigningKeys
	GetTenant(ctx context.Context, id string) (model.Tenant, error)
	ListTenants(ctx context.Context) ([]model.Tenant, error)
}

var _ KeyStore = storage.Store(nil)

// Defaults of Options.
const (
	DefaultCacheTTL         = 30 * time.Second
	DefaultMaxTokenLifetime = 25 * time.Hour
)

// Options configure a Manager.
type Options struct {
	// Issuer is the "iss" of every token signed and the only one accepted. Required.
	Issuer string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// CacheTTL is how long a tenant's keys and the JWKS are served from memory before being
	// read again; DefaultCacheTTL when zero.
	CacheTTL time.Duration
	// MaxTokenLifetime bounds the lifetime of any token Latchkey signs; a disabled key stays
	// published this long. DefaultMaxTokenLifetime when zero.
	MaxTokenLifetime time.Duration
}

// Manager signs and verifies tokens with tenants' keys. It is safe for concurrent use.
type Manager struct {
	store       KeyStore
	keys        *secret.Keys
	issuer      string
	now         func() time.Time
	ttl         time.Duration
	maxLifetime time.Duration

	// lifecycle serialises this node's key creation and rotation, so concurrent first
	// signatures for a new tenant create one set of keys.
	lifecycle sync.Mutex

	mu      sync.RWMutex
	tenants map[string]*tenantEntry

	jwksMu sync.Mutex // serialises JWKS loads
	jwks   atomic.Pointer[cachedJWKS]

	bearers memo // bearer tokens already verified (VerifyBearer)
}

// tenantEntry caches one tenant's keys. Loads and invalidations take mu, so an invalidation
// can never be overwritten by a load that read the database before it.
type tenantEntry struct {
	mu       sync.Mutex
	set      atomic.Pointer[keySet]
	forcedAt time.Time // last reload caused by an unknown kid; guarded by mu
}

type cachedJWKS struct {
	loadedAt time.Time
	keys     []jose.JSONWebKey
}

// NewManager returns a Manager over store, sealing private keys with keys.
func NewManager(store KeyStore, keys *secret.Keys, opts Options) (*Manager, error) {
	if store == nil || keys == nil {
		return nil, errors.New("new token manager: store and keys are required")
	}
	if opts.Issuer == "" {
		return nil, errors.New("new token manager: issuer is required")
	}
	m := &Manager{
		store:       store,
		keys:        keys,
		issuer:      opts.Issuer,
		now:         opts.Now,
		ttl:         opts.CacheTTL,
		maxLifetime: opts.MaxTokenLifetime,
		tenants:     map[string]*tenantEntry{},
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.ttl <= 0 {
		m.ttl = DefaultCacheTTL
	}
	if m.maxLifetime <= 0 {
		m.maxLifetime = DefaultMaxTokenLifetime
	}
	return m, nil
}

// Issuer returns the issuer the Manager signs as.
func (m *Manager) Issuer() string { return m.issuer }

// Invalidate drops the cached keys of a tenant and the cached JWKS, so the next use reads
// them again. Rotate and EnsureKeys call it; other nodes pick changes up when their cache
// expires or when they meet an unknown kid.
func (m *Manager) Invalidate(tenantID string) {
	m.mu.RLock()
	e := m.tenants[tenantID]
	m.mu.RUnlock()
	if e != nil {
		e.mu.Lock()
		e.set.Store(nil)
		e.mu.Unlock()
	}
	m.jwksMu.Lock()
	m.jwks.Store(nil)
	m.jwksMu.Unlock()
}

func (m *Manager) entry(tenantID string) *tenantEntry {
	m.mu.RLock()
	e := m.tenants[tenantID]
	m.mu.RUnlock()
	if e != nil {
		return e
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e = m.tenants[tenantID]; e == nil {
		e = &tenantEntry{}
		m.tenants[tenantID] = e
	}
	return e
}

// forget removes the entry of a tenant that turned out to have no keys, so that tokens naming
// made-up tenants cannot grow the cache.
func (m *Manager) forget(tenantID string, e *tenantEntry) {
	m.mu.Lock()
	if m.tenants[tenantID] == e {
		delete(m.tenants, tenantID)
	}
	m.mu.Unlock()
}

func (m *Manager) fresh(loadedAt time.Time) bool {
	age := m.now().Sub(loadedAt)
	return age >= 0 && age < m.ttl
}

// tenantKeys returns the tenant's keys, from the cache when fresh. loaded reports whether
// they were just read from storage. A tenant without keys yields an empty set, not cached.
func (m *Manager) tenantKeys(ctx context.Context, tenantID string) (ks *keySet, loaded bool, err error) {
	e := m.entry(tenantID)
	if ks := e.set.Load(); ks != nil && m.fresh(ks.loadedAt) {
		return ks, false, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ks := e.set.Load(); ks != nil && m.fresh(ks.loadedAt) {
		return ks, false, nil
	}
	return m.reload(ctx, tenantID, e)
}

// reloadForKid reads the tenant's keys again because a token names a kid the cache lacks:
// another node may have rotated. It does so at most once a second per tenant, so that tokens
// with made-up kids cannot turn into a database read each.
func (m *Manager) reloadForKid(ctx context.Context, tenantID, kid string) (*keySet, error) {
	e := m.entry(tenantID)
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.set.Load()
	if cur != nil && cur.byID[kid] != nil {
		return cur, nil // another caller reloaded meanwhile
	}
	now := m.now()
	if !e.forcedAt.IsZero() && now.Sub(e.forcedAt) < time.Second && now.Sub(e.forcedAt) >= 0 {
		return cur, nil
	}
	e.forcedAt = now
	ks, _, err := m.reload(ctx, tenantID, e)
	return ks, err
}

// reload reads a tenant's keys into e; the caller holds e.mu.
func (m *Manager) reload(ctx context.Context, tenantID string, e *tenantEntry) (*keySet, bool, error) {
	records, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return nil, false, fmt.Errorf("list signing keys: %w", err)
	}
	ks, err := m.newKeySet(tenantID, records)
	if err != nil {
		return nil, false, err
	}
	if len(ks.byID) == 0 {
		e.set.Store(nil)
		m.forget(tenantID, e)
		return ks, true, nil
	}
	e.set.Store(ks)
	return ks, true, nil
}
