package password

import (
	"context"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
)

// pool hands a fixed number of worker slots to calls of many tenants, fairly: a tenant flooding
// logins (with any names, known or not) must not make others wait behind its backlog or find
// the queue full.
//
//   - Waiting calls queue per tenant, first come first served within a tenant.
//
//   - A freed slot goes to the waiting tenant with the fewest calls running, and among those to
//     the one served least recently; so a tenant that holds every worker gets the next slot only
//     when no one else waits, and a newcomer is served at the next free slot.
//
//   - The waiting room is shared; when it is full, a call of a tenant with fewer waiting calls
//     than the longest queue takes the place of that queue's newest call, which fails as busy. A
//     flooding tenant therefore fills only its own share and gets the 503s.
//
//   - While tenants share the pool (two of them have been in it at once within shareWindow), one
//     tenant runs on at most all workers but one, so that another tenant's call finds a worker
//     free instead of waiting for one of the flood's hashes to end, and does not share a CPU
//     with more of them than it must.
//
// A lone tenant may still use every worker: the pool idles a worker only while tenants share it.
type pool struct {
	mu      sync.Mutex
	workers int // slots
	room    int // calls that may wait, across tenants
	running int
	waiting int
	served  uint64 // a clock of grants, for "served least recently"
	tenants map[string]*tenantLine
	onRun   func(tenantID string)
	onWait  func(time.Duration, error)
	now     func() time.Time
	// sharedUntil is when the pool stops counting as shared: shareWindow after two tenants
	// were last in it at once.
	sharedUntil time.Time
}

// shareWindow is how long the pool keeps a worker for other tenants after two tenants last
// used it at once: longer than the gap between one tenant's logins, so a tenant that logs its
// users in now and then keeps finding a worker free while another floods.
const shareWindow = 10 * time.Second

// tenantLine is one tenant's use of the pool; it exists while the tenant runs or waits.
type tenantLine struct {
	running    int
	queue      []*waiter
	lastServed uint64
}

// waiter is a queued call. ready is closed when the call gets a slot (granted) or loses its
// place to another tenant's call (shed); both are set under the pool's lock.
type waiter struct {
	ready   chan struct{}
	granted bool
	shed    bool
}

func newPool(workers, room int, onRun func(string), onWait func(time.Duration, error)) *pool {
	return &pool{workers: workers, room: room, tenants: map[string]*tenantLine{}, onRun: onRun, onWait: onWait, now: time.Now}
}

func busyFault() *fault.Error {
	e := fault.New(fault.Unavailable, CodeBusy, "too many password checks in progress; try again shortly")
	e.RetryAfter = busyRetry
	return e
}

// run runs f for tenantID when the tenant's turn comes. It fails fast with Unavailable when
// the tenant has no room to wait, or later when its place is taken by another tenant's call,
// and with the context's error when ctx ends while waiting.
func (p *pool) run(ctx context.Context, tenantID string, f func()) error {
	var start time.Time
	if p.onWait != nil {
		start = time.Now()
	}
	t, err := p.acquire(ctx, tenantID)
	if p.onWait != nil {
		p.onWait(time.Since(start), err)
	}
	if err != nil {
		return err
	}
	defer p.release(t, tenantID)
	if p.onRun != nil {
		p.onRun(tenantID)
	}
	f()
	return nil
}

func (p *pool) line(tenantID string) *tenantLine {
	t := p.tenants[tenantID]
	if t == nil {
		t = &tenantLine{}
		p.tenants[tenantID] = t
	}
	return t
}

// acquire waits for a slot and returns the tenant's line, which stays in the pool while the
// call runs.
func (p *pool) acquire(ctx context.Context, tenantID string) (*tenantLine, error) {
	p.mu.Lock()
	t := p.line(tenantID)
	if len(p.tenants) > 1 {
		p.sharedUntil = p.now().Add(shareWindow)
	}
	if p.running < p.workers && p.waiting == 0 && p.mayRun(t) {
		p.grant(t)
		p.mu.Unlock()
		return t, nil
	}
	if p.waiting >= p.room && !p.shedFor(t) {
		p.forget(tenantID, t)
		p.mu.Unlock()
		return nil, busyFault()
	}
	w := &waiter{ready: make(chan struct{})}
	t.queue = append(t.queue, w)
	p.waiting++
	// A worker may be free that the waiting tenants may not take; this call may.
	p.dispatch()
	p.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		switch {
		case w.granted:
			// The slot came as the request ended: pass it on.
			p.running--
			t.running--
			p.dispatch()
		case !w.shed:
			p.remove(t, w)
		}
		p.forget(tenantID, t)
		return nil, fault.New(fault.Unavailable, CodeBusy, "the request ended while waiting for a password check").With(ctx.Err())
	}
	if w.shed {
		p.mu.Lock()
		p.forget(tenantID, t)
		p.mu.Unlock()
		return nil, busyFault()
	}
	return t, nil
}

func (p *pool) release(t *tenantLine, tenantID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
	t.running--
	p.dispatch()
	p.forget(tenantID, t)
}

// grant gives t a slot.
func (p *pool) grant(t *tenantLine) {
	p.running++
	t.running++
	p.served++
	t.lastServed = p.served
}

// mayRun reports whether t may take a free worker: always, unless the pool is shared and t
// already runs on all workers but one.
func (p *pool) mayRun(t *tenantLine) bool {
	return p.workers < 2 || t.running < p.workers-1 || !p.now().Before(p.sharedUntil)
}

// dispatch hands free slots to waiting calls, each to the tenant whose turn it is among those
// that may run.
func (p *pool) dispatch() {
	for p.running < p.workers && p.waiting > 0 {
		var next *tenantLine
		for _, t := range p.tenants {
			if len(t.queue) > 0 && p.mayRun(t) && (next == nil || t.running < next.running ||
				t.running == next.running && t.lastServed < next.lastServed) {
				next = t
			}
		}
		if next == nil {
			return // the free worker is kept for another tenant while the pool is shared
		}
		w := next.queue[0]
		next.queue = next.queue[1:]
		p.waiting--
		p.grant(next)
		w.granted = true
		close(w.ready)
	}
}

// shedFor makes room for a call of t in a full waiting room by failing the newest call of the
// tenant with the most waiting calls, provided that tenant has more waiting than t. It reports
// whether it made room.
func (p *pool) shedFor(t *tenantLine) bool {
	var longest *tenantLine
	for _, o := range p.tenants {
		if longest == nil || len(o.queue) > len(longest.queue) {
			longest = o
		}
	}
	if longest == nil || longest == t || len(longest.queue) <= len(t.queue) {
		return false
	}
	last := len(longest.queue) - 1
	w := longest.queue[last]
	longest.queue = longest.queue[:last]
	p.waiting--
	w.shed = true
	close(w.ready)
	return true
}

// remove takes w out of t's queue, for a call that gave up waiting.
func (p *pool) remove(t *tenantLine, w *waiter) {
	for i, o := range t.queue {
		if o == w {
			t.queue = append(t.queue[:i], t.queue[i+1:]...)
			p.waiting--
			return
		}
	}
}

// forget drops an idle tenant's line, so that the pool holds only tenants in it.
func (p *pool) forget(tenantID string, t *tenantLine) {
	if p.tenants[tenantID] == t && t.running == 0 && len(t.queue) == 0 {
		delete(p.tenants, tenantID)
	}
}

// load reports a tenant's calls running and waiting, for tests.
func (p *pool) load(tenantID string) (running, waiting int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.tenants[tenantID]; t != nil {
		return t.running, len(t.queue)
	}
	return 0, 0
}
