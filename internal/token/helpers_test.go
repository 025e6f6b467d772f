package token

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

const testIssuer = "https://auth.example.test"

// testStore is what the tests need of a store; storage.Store satisfies it.
type testStore interface {
	KeyStore
	CreateTenant(ctx context.Context, t model.Tenant) error
	UpdateTenant(ctx context.Context, id string, fn func(model.Tenant) (model.Tenant, error)) error
}

// countingStore counts key reads, so tests can tell cache hits from storage reads.
type countingStore struct {
	testStore
	lists atomic.Int64
}

func (c *countingStore) ListSigningKeys(ctx context.Context, tenantID string) ([]model.SigningKey, error) {
	c.lists.Add(1)
	return c.testStore.ListSigningKeys(ctx, tenantID)
}

func (c *countingStore) ListAllSigningKeys(ctx context.Context) ([]model.SigningKey, error) {
	c.lists.Add(1)
	return c.testStore.ListAllSigningKeys(ctx)
}

// clock is a settable time source; tests move it explicitly, so nothing depends on real time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     testing.TB
	ctx   context.Context
	store *countingStore
	keys  *secret.Keys
	clock *clock
}

func newEnv(t testing.TB, s testStore) *env {
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return &env{t: t, ctx: context.Background(), store: &countingStore{testStore: s}, keys: keys, clock: &clock{t: start}}
}

// manager returns a new Manager over the environment's store, as another node would have.
func (e *env) manager(edit ...func(*Options)) *Manager {
	e.t.Helper()
	opts := Options{Issuer: testIssuer, Now: e.clock.Now}
	for _, f := range edit {
		f(&opts)
	}
	m, err := NewManager(e.store, e.keys, opts)
	if err != nil {
		e.t.Fatalf("NewManager: %v", err)
	}
	return m
}

// tenant creates a tenant. With an algorithm it gets keys of its own in that algorithm, as
// the tests of key lifecycles need; without, it signs with the deployment's keys.
func (e *env) tenant(alg string) string {
	e.t.Helper()
	t := model.Tenant{ID: model.NewID(), Name: model.NewID(), SigningAlg: alg, CreatedAt: e.clock.Now()}
	if err := e.store.CreateTenant(e.ctx, t); err != nil {
		e.t.Fatalf("create tenant: %v", err)
	}
	if alg != "" {
		if err := e.manager().EnsureKeys(e.ctx, t.ID); err != nil {
			e.t.Fatalf("ensure keys: %v", err)
		}
	}
	return t.ID
}

func (e *env) setAlg(tenantID, alg string) {
	e.t.Helper()
	err := e.store.UpdateTenant(e.ctx, tenantID, func(t model.Tenant) (model.Tenant, error) {
		t.SigningAlg = alg
		return t, nil
	})
	if err != nil {
		e.t.Fatalf("update tenant: %v", err)
	}
}

// claims returns ID-token-like claims valid from now for ttl.
func (e *env) claims(ttl time.Duration) map[string]any {
	now := e.clock.Now()
	return map[string]any{"sub": "user-1", "aud": "client-1", "iat": now.Unix(), "exp": now.Add(ttl).Unix()}
}

func (e *env) sign(m *Manager, tenantID string) string {
	e.t.Helper()
	raw, err := m.Sign(e.ctx, tenantID, e.claims(time.Hour))
	if err != nil {
		e.t.Fatalf("Sign: %v", err)
	}
	return raw
}

func header(t testing.TB, raw string) jose.Header {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, acceptedAlgs)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return jws.Signatures[0].Header
}

func kids(set jose.JSONWebKeySet) map[string]bool {
	out := map[string]bool{}
	for _, k := range set.Keys {
		out[k.KeyID] = true
	}
	return out
}

// forEachStore runs a test against every store backend available.
func forEachStore(t *testing.T, test func(t *testing.T, e *env)) {
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) { test(t, newEnv(t, newStore(t))) })
	}
}

// backends are the stores the lifecycle tests run against: the in-memory one pins down what
// the Manager expects of a store, the SQL ones are what deployments use. PostgreSQL tests skip
// unless LATCHKEY_TEST_POSTGRES_DSN is set.
var backends = map[string]func(t *testing.T) testStore{
	"memory":     func(*testing.T) testStore { return newMemStore() },
	"sqlite":     func(t *testing.T) testStore { return sqlstore.NewTestStore(t, false) },
	"postgresql": func(t *testing.T) testStore { return sqlstore.NewTestStore(t, true) },
}
