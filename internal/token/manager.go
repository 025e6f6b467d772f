package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// KeyStore is the part of storage a Manager needs.
type KeyStore interface {
	storage.SigningKeys
	GetTenant(ctx context.Context, id string) (model.Tenant, error)
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
	// CacheTTL is how long the keys, and the JWKS made of them, are served from memory before
	// being read again; DefaultCacheTTL when zero.
	CacheTTL time.Duration
	// MaxTokenLifetime bounds the lifetime of any token Latchkey signs; a disabled key stays
	// published this long. DefaultMaxTokenLifetime when zero.
	MaxTokenLifetime time.Duration
}

// Manager signs and verifies tokens with the deployment's and tenants' keys. It is safe for
// concurrent use.
type Manager struct {
	store       KeyStore
	keys        *secret.Keys
	issuer      string
	now         func() time.Time
	ttl         time.Duration
	maxLifetime time.Duration

	// lifecycle serialises this node's key creation and rotation, so concurrent first
	// signatures create one set of keys.
	lifecycle sync.Mutex

	// loadMu serialises loads of the snapshot and its invalidation, so an invalidation can
	// never be overwritten by a load that read the database before it.
	loadMu   sync.Mutex
	snap     atomic.Pointer[snapshot] // nil when invalidated
	last     *snapshot                // the last one built, for reuse; guarded by loadMu
	forcedAt time.Time                // last reload caused by an unknown kid; guarded by loadMu

	bearers      memo // bearer tokens already verified (VerifyBearer)
	introspected memo // introspected tokens already verified (VerifyIntrospected)
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

// invalidate drops the snapshot, so the next use reads the keys again. Key creation and
// rotation call it; other nodes pick changes up when their snapshot expires or when they meet
// an unknown kid.
func (m *Manager) invalidate() {
	m.loadMu.Lock()
	m.snap.Store(nil)
	m.loadMu.Unlock()
}

func (m *Manager) fresh(s *snapshot) bool {
	if s == nil {
		return false
	}
	age := m.now().Sub(s.loadedAt)
	return age >= 0 && age < m.ttl
}

// current returns the node's snapshot, loading it when missing or older than the cache TTL.
// loaded reports whether it was just read from storage.
func (m *Manager) current(ctx context.Context) (s *snapshot, loaded bool, err error) {
	if s := m.snap.Load(); m.fresh(s) {
		return s, false, nil
	}
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	if s := m.snap.Load(); m.fresh(s) {
		return s, false, nil
	}
	s, err = m.load(ctx)
	return s, err == nil, err
}

// reloadForKid reads the keys again because a token names a kid the snapshot lacks: another
// node may have rotated. Unless the snapshot is stale anyway, it does so at most once a second,
// so that tokens with made-up kids cannot turn into a database read each.
func (m *Manager) reloadForKid(ctx context.Context, kid string) (*snapshot, error) {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	cur := m.snap.Load()
	if cur != nil && cur.byID[kid] != nil {
		return cur, nil // another caller reloaded meanwhile
	}
	now := m.now()
	if m.fresh(cur) && !m.forcedAt.IsZero() && now.Sub(m.forcedAt) < time.Second && now.Sub(m.forcedAt) >= 0 {
		return cur, nil
	}
	m.forcedAt = now
	return m.load(ctx)
}

// load reads every key into a new snapshot; the caller holds loadMu.
func (m *Manager) load(ctx context.Context) (*snapshot, error) {
	records, err := m.store.ListAllSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	s, err := m.newSnapshot(records, m.last)
	if err != nil {
		return nil, err
	}
	m.last = s
	m.snap.Store(s)
	return s, nil
}
