package password

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
)

// poolRig drives a Hasher's pool with jobs that run until released, and records the order in
// which jobs start. Nothing here depends on timing: the tests wait for conditions of the pool.
type poolRig struct {
	t     *testing.T
	h     *Hasher
	mu    sync.Mutex
	order []string
	wg    sync.WaitGroup
}

func newPoolRig(t *testing.T, workers, queue int) *poolRig {
	t.Helper()
	h, err := NewHasher(Config{Params: cheap, Workers: workers, Queue: queue})
	if err != nil {
		t.Fatal(err)
	}
	r := &poolRig{t: t, h: h}
	t.Cleanup(r.wg.Wait)
	return r
}

// hold starts a job of tenant that holds a worker until release is closed; it returns once
// the job runs.
func (r *poolRig) hold(tenant string) (release chan struct{}) {
	release, running := make(chan struct{}), make(chan struct{})
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := r.h.pool.run(context.Background(), tenant, func() { close(running); <-release }); err != nil {
			r.t.Errorf("holding job of %s: %v", tenant, err)
			close(running)
		}
	}()
	<-running
	return release
}

// queue starts a job of tenant named label, which records its start and ends at once, and
// returns once the job waits in the pool. Its outcome arrives on the returned channel.
func (r *poolRig) queue(ctx context.Context, tenant, label string) <-chan error {
	_, before := r.h.pool.load(tenant)
	out := make(chan error, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		out <- r.h.pool.run(ctx, tenant, func() {
			r.mu.Lock()
			r.order = append(r.order, label)
			r.mu.Unlock()
		})
	}()
	for {
		if _, waiting := r.h.pool.load(tenant); waiting > before {
			return out
		}
		select {
		case err := <-out:
			r.t.Fatalf("%s did not wait: %v", label, err)
		default:
		}
		runtime.Gosched()
	}
}

func (r *poolRig) started() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order)
}

func wantBusy(t *testing.T, what string, err error) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Unavailable || fe.Code != CodeBusy || fe.RetryAfter <= 0 {
		t.Fatalf("%s: %v, want an unavailable fault with Retry-After", what, err)
	}
}

// TestPoolQueuesThenFailsFast fills a pool of one worker and one queue slot with one tenant's
// calls: its next call fails at once with a 503 fault, and a queued call whose context ends
// gives up.
func TestPoolQueuesThenFailsFast(t *testing.T) {
	r := newPoolRig(t, 1, 1)
	release := r.hold("A")
	queued, cancel := context.WithCancel(context.Background())
	waitErr := r.queue(queued, "A", "a1")
	_, err := r.h.Hash(context.Background(), "A", "overflow")
	wantBusy(t, "call beyond the queue", err)
	cancel()
	if err := <-waitErr; !fault.Is(err, fault.Unavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled queued call: %v", err)
	}
	close(release)
	if _, err := r.h.Hash(context.Background(), "A", "after"); err != nil {
		t.Fatalf("pool did not recover: %v", err)
	}
	if got := r.started(); len(got) != 0 {
		t.Fatalf("a cancelled call ran: %v", got)
	}
}

// TestPoolServesOtherTenantFirst: tenant A holds both workers and has three calls queued when
// one call of tenant B arrives. The next free worker goes to B, not to A's older calls; and
// since the pool is now shared, A's calls then run on one worker only, after its other
// running call.
func TestPoolServesOtherTenantFirst(t *testing.T) {
	r := newPoolRig(t, 2, 64)
	rel1, rel2 := r.hold("A"), r.hold("A")
	var done []<-chan error
	for _, l := range []string{"a1", "a2", "a3"} {
		done = append(done, r.queue(context.Background(), "A", l))
	}
	b1 := r.queue(context.Background(), "B", "b1")
	close(rel1)
	if err := <-b1; err != nil {
		t.Fatal(err)
	}
	if running, waiting := r.h.pool.load("A"); running != 1 || waiting != 3 {
		t.Fatalf("A runs %d and waits %d, want 1 and 3: a worker stays free for others", running, waiting)
	}
	close(rel2)
	for _, d := range done {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.started(), []string{"b1", "a1", "a2", "a3"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

// TestPoolTakesTurns: with one worker and two tenants queued, the worker alternates between
// them, whoever queued more.
func TestPoolTakesTurns(t *testing.T) {
	r := newPoolRig(t, 1, 64)
	release := r.hold("A")
	var done []<-chan error
	for _, c := range [][2]string{{"A", "a1"}, {"A", "a2"}, {"A", "a3"}, {"B", "b1"}, {"B", "b2"}} {
		done = append(done, r.queue(context.Background(), c[0], c[1]))
	}
	close(release)
	for _, d := range done {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.started(), []string{"b1", "a1", "b2", "a2", "a3"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

// TestPoolShedsTheLongestQueue: tenant A has filled the whole queue. A call of tenant B still
// gets in, taking the place of A's newest call, which fails as busy; A's further calls fail at
// once; and B is served first.
func TestPoolShedsTheLongestQueue(t *testing.T) {
	r := newPoolRig(t, 1, 3)
	release := r.hold("A")
	a1 := r.queue(context.Background(), "A", "a1")
	a2 := r.queue(context.Background(), "A", "a2")
	a3 := r.queue(context.Background(), "A", "a3")
	b1 := r.queue(context.Background(), "B", "b1")
	wantBusy(t, "A's newest call, displaced by B's", <-a3)
	_, err := r.h.Hash(context.Background(), "A", "more")
	wantBusy(t, "A's call with the queue full", err)
	if running, waiting := r.h.pool.load("A"); running != 1 || waiting != 2 {
		t.Fatalf("A runs %d and waits %d, want 1 and 2", running, waiting)
	}
	close(release)
	for _, d := range []<-chan error{a1, a2, b1} {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.started(), []string{"b1", "a1", "a2"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

// TestPoolLoneTenantUsesEveryWorker: fairness never idles a worker: a tenant alone gets them
// all, and the pool forgets tenants once they are done.
func TestPoolLoneTenantUsesEveryWorker(t *testing.T) {
	r := newPoolRig(t, 3, 8)
	rels := []chan struct{}{r.hold("A"), r.hold("A"), r.hold("A")}
	if running, waiting := r.h.pool.load("A"); running != 3 || waiting != 0 {
		t.Fatalf("A runs %d and waits %d, want 3 and 0", running, waiting)
	}
	for _, rel := range rels {
		close(rel)
	}
	r.wg.Wait()
	r.h.pool.mu.Lock()
	defer r.h.pool.mu.Unlock()
	if n := len(r.h.pool.tenants); n != 0 || r.h.pool.running != 0 || r.h.pool.waiting != 0 {
		t.Fatalf("idle pool still holds %d tenants, %d running, %d waiting", n, r.h.pool.running, r.h.pool.waiting)
	}
}

// TestOnRunNamesTheTenant: every computation, the dummy verification of an unknown name
// included, is counted for the tenant that asked for it.
func TestOnRunNamesTheTenant(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	h, err := NewHasher(Config{Params: cheap, OnRun: func(tenant string) {
		mu.Lock()
		seen = append(seen, tenant)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	enc, err := h.Hash(ctx, "A", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Verify(ctx, "B", enc, "pw"); err != nil {
		t.Fatal(err)
	}
	if err := h.VerifyDummy(ctx, "C", "pw"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"A", "B", "C"}; !slices.Equal(seen, want) {
		t.Fatalf("tenants = %v, want %v", seen, want)
	}
}

// TestPoolKeepsAWorkerForOthers: once two tenants have used the pool at once, a tenant runs on
// all workers but one for shareWindow, so another tenant's call starts at once instead of
// waiting for a running call to end; after the window a lone tenant has every worker again.
func TestPoolKeepsAWorkerForOthers(t *testing.T) {
	r := newPoolRig(t, 2, 64)
	clock := time.Unix(1_700_000_000, 0)
	r.h.pool.mu.Lock()
	r.h.pool.now = func() time.Time { return clock }
	r.h.pool.mu.Unlock()

	relA := r.hold("A")
	relB := r.hold("B") // two tenants at once: the pool is shared
	close(relB)
	for { // until B's call has ended; A's still runs
		if running, _ := r.h.pool.load("B"); running == 0 {
			break
		}
		runtime.Gosched()
	}
	a2 := r.queue(context.Background(), "A", "a2")
	if running, waiting := r.h.pool.load("A"); running != 1 || waiting != 1 {
		t.Fatalf("A runs %d and waits %d with a worker free, want 1 and 1", running, waiting)
	}
	relB2 := r.hold("B") // starts at once on the worker kept free
	close(relB2)
	close(relA)
	if err := <-a2; err != nil {
		t.Fatal(err)
	}

	// shareWindow later, with no other tenant in between, A alone gets both workers.
	for { // until every call above has left the pool
		r.h.pool.mu.Lock()
		idle := len(r.h.pool.tenants) == 0
		if idle {
			clock = clock.Add(shareWindow)
		}
		r.h.pool.mu.Unlock()
		if idle {
			break
		}
		runtime.Gosched()
	}
	rel1, rel2 := r.hold("A"), r.hold("A")
	if running, _ := r.h.pool.load("A"); running != 2 {
		t.Fatalf("A alone after the window runs %d, want 2", running)
	}
	close(rel1)
	close(rel2)
}
