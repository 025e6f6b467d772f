package tenancy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// countingKeyring records EnsureDeploymentKeys calls.
type countingKeyring struct {
	mu    sync.Mutex
	calls int
}

func (k *countingKeyring) EnsureDeploymentKeys(context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	return nil
}

func (k *countingKeyring) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls
}

type fixture struct {
	svc     *Service
	store   storage.Store
	keys    *secret.Keys
	keyring *countingKeyring
}

// newFixture returns a Service over a fresh SQLite store, with a clock that moves forward a
// millisecond at each reading so that creation order is unambiguous.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, false)
}

// newFixtureOn is newFixture on PostgreSQL when postgres is set (skipped when no server is
// configured).
func newFixtureOn(t *testing.T, postgres bool) *fixture {
	t.Helper()
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatalf("new keys: %v", err)
	}
	var tick atomic.Int64
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	store := sqlstore.NewTestStore(t, postgres)
	kr := &countingKeyring{}
	return &fixture{svc: New(store, keys, kr, Options{Now: now}), store: store, keys: keys, keyring: kr}
}

// admin bootstraps a new tenant and returns a caller acting as its admin client.
func (f *fixture) admin(t *testing.T) (model.Caller, Bootstrap) {
	t.Helper()
	b, err := f.svc.Bootstrap(t.Context(), "tenant-"+model.NewID(), false)
	must(t, err, "bootstrap")
	cl, err := f.svc.GetClient(t.Context(), b.AdminClientID)
	must(t, err, "get admin client")
	return model.Caller{TenantID: b.TenantID, AppID: cl.AppID, ClientID: cl.ID, Admin: true}, b
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantFault checks that err is a fault of kind k with code.
func wantFault(t *testing.T, err error, k fault.Kind, code, what string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Errorf("%s: got %v, want a %s fault with code %s", what, err, k, code)
		return
	}
	if fe.Kind != k || fe.Code != code {
		t.Errorf("%s: got %s/%s (%v), want %s/%s", what, fe.Kind, fe.Code, err, k, code)
	}
}

// wantProblems checks that err is a validation error listing exactly one problem per
// fragment, each fragment found in some problem.
func wantProblems(t *testing.T, err error, what string, fragments ...string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Code != fault.CodeInvalidInput {
		t.Fatalf("%s: got %v, want a validation error", what, err)
	}
	if len(fe.Details) != len(fragments) {
		t.Errorf("%s: got %d problems %q, want %d", what, len(fe.Details), fe.Details, len(fragments))
	}
	for _, frag := range fragments {
		found := false
		for _, d := range fe.Details {
			found = found || strings.Contains(d, frag)
		}
		if !found {
			t.Errorf("%s: no problem mentions %q in %q", what, frag, fe.Details)
		}
	}
}

func ptr[T any](v T) *T { return &v }
