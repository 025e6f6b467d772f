package storagetest

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// base is the suite's fixed clock: every time in a record is built relative to it. It carries
// milliseconds so that a backend that drops them is caught, and no sub-millisecond part, so
// that a backend storing milliseconds returns it exactly.
var base = time.Date(2031, time.March, 4, 5, 6, 7, 891_000_000, time.UTC)

// deadlockTimeout bounds every test. It is far above what any test needs even on a slow,
// loaded machine: it exists to turn a deadlock into a failure with a goroutine dump.
const deadlockTimeout = 2 * time.Minute

// oneDay is a day, for times far from base.
const oneDay = 24 * time.Hour

// at returns base shifted by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// ptr returns a pointer to a copy of tm, for the optional times of the model.
func ptr(tm time.Time) *time.Time { return &tm }

// namedTest is one conformance test; it gets a fresh store of its own.
type namedTest struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}

// runGroup runs tests as subtests of a subtest called name, each on a fresh store and each
// bounded by deadlockTimeout.
func runGroup(t *testing.T, name string, newStore func(t *testing.T) storage.Store, tests []namedTest) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				bounded(t, func() {
					s := newStore(t)
					tc.fn(t, s)
				})
			})
		}
	})
}

// bounded runs body and fails the test with every goroutine's stack if it has not returned
// within deadlockTimeout. body runs on its own goroutine so that the wait can be bounded; it
// may call t.Fatal, which ends that goroutine, and the test with it.
func bounded(t *testing.T, body func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		body()
	}()
	waitOrDump(t, done, "test body")
}

// waitOrDump waits for done to close, or fails the test with a goroutine dump once
// deadlockTimeout has passed.
func waitOrDump(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	timer := time.NewTimer(deadlockTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s still running after %v, probably deadlocked; goroutines:\n%s", what, deadlockTimeout, allStacks())
	}
}

func allStacks() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// must stops the test when a setup step fails.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// randomBytes returns n random bytes, for hashes and sealed keys.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

var phoneCounter atomic.Int64

// newPhone returns an E.164 number no other call returns.
func newPhone() string {
	return fmt.Sprintf("+1555%07d", phoneCounter.Add(1)%10_000_000)
}

// env is the usual set of parent records: a tenant with one application, one client of it
// and one user.
type env struct {
	Tenant model.Tenant
	App    model.Application
	Client model.Client
	User   model.User
}

// newEnv creates a tenant, an application, a client and a user.
func newEnv(t *testing.T, s storage.Store) env {
	t.Helper()
	tenant := newTenant(t, s)
	app := newApp(t, s, tenant.ID)
	return env{
		Tenant: tenant,
		App:    app,
		Client: newClient(t, s, tenant.ID, app.ID),
		User:   newUser(t, s, tenant.ID),
	}
}
