package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Fairness is what the password-fairness scenario measured: tenant B's password logins alone,
// then while tenant A floods password logins with made-up names (each a dummy hash on the
// pool both tenants share). Fair sharing of the pool keeps B's p99 within twice its unloaded
// p99 (Ratio at most 2) however hard A floods.
type Fairness struct {
	Unloaded Latency `json:"unloaded"`
	Flooded  Latency `json:"flooded"`
	// Ratio is Flooded.P99 over Unloaded.P99.
	Ratio float64 `json:"p99_ratio"`
	// UnloadedRequests and UnloadedErrors are B's logins of the unloaded window; the flooded
	// window's are the scenario's own Requests and Errors.
	UnloadedRequests int64 `json:"unloaded_requests"`
	UnloadedErrors   int64 `json:"unloaded_errors"`
	// The flood: its connections, and its answers during B's flooded window: wrong passwords
	// (400, the hash was computed), busy (503, refused by the pool) and anything else.
	FloodConnections int    `json:"flood_connections"`
	FloodRejected    int64  `json:"flood_rejected"`
	FloodBusy        int64  `json:"flood_busy"`
	FloodOther       int64  `json:"flood_other"`
	FloodFirstOther  string `json:"flood_first_other,omitempty"`
}

// busyRetryAfter is the Retry-After of Latchkey's system_busy answers.
const busyRetryAfter = time.Second

// fairnessConnections is tenant B's load: one login at a time, a tenant's ordinary traffic,
// so that its latency shows waiting for the pool rather than its own queue.
const fairnessConnections = 1

// runFairness measures B (the benchmark's client) alone, then under A's flood (the flood
// client, of another tenant). The flood starts after B's unloaded window and runs through B's
// warm-up and timed window.
func runFairness(ctx context.Context, e *Env) (ScenarioResult, error) {
	res := ScenarioResult{Name: "password-fairness"}
	o := e.Opts
	flood := NewClient(o.URL, o.FloodConnections+4)
	defer flood.Close()
	floodToken, err := flood.ClientToken(ctx, o.FloodClientID, o.FloodClientSecret)
	if err != nil {
		return res, fmt.Errorf("flood client: %w", err)
	}
	emails, err := e.createUsers(ctx, "fair", fairnessConnections, benchPassword)
	if err != nil {
		return res, err
	}
	nw := func(_ context.Context, w int) ([]Step, error) {
		body := map[string]any{"username": emails[w%len(emails)], "username_type": "email", "password": benchPassword}
		return []Step{{Name: "authenticate", Do: func(ctx context.Context) error {
			return e.Client.JSON(ctx, "POST", "/cis/v1/auth/password/authenticate", e.Token, body, nil)
		}}}, nil
	}
	load := Load{Connections: fairnessConnections, Warmup: o.Load.Warmup, Duration: o.Load.Duration}
	fmt.Fprintf(o.Log, "scenario %s: tenant B alone\n", res.Name)
	alone, err := Drive(ctx, load, nw, nil, nil)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(o.Log, "scenario %s: tenant B while tenant A floods with %d connections\n", res.Name, o.FloodConnections)
	f := &flooder{c: flood, token: floodToken, run: e.run}
	floodCtx, stop := context.WithCancel(ctx)
	f.start(floodCtx, o.FloodConnections)
	flooded, err := Drive(ctx, load, nw, f.reset, f.freeze)
	stop()
	f.wg.Wait()
	if err != nil {
		return res, err
	}
	res.fill(flooded)
	var u ScenarioResult
	u.fill(alone)
	fr := &Fairness{
		Unloaded: u.Latency, Flooded: res.Latency, UnloadedRequests: u.Requests, UnloadedErrors: u.Errors,
		FloodConnections: o.FloodConnections, FloodRejected: f.frozen[0], FloodBusy: f.frozen[1], FloodOther: f.frozen[2],
	}
	if p := f.firstOther.Load(); p != nil {
		fr.FloodFirstOther = *p
	}
	if u.Latency.P99 > 0 {
		fr.Ratio = float64(res.Latency.P99) / float64(u.Latency.P99)
	}
	res.Fairness = fr
	return res, nil
}

// flooder is tenant A: connections that log in with a new made-up name each time, as fast as
// the server answers. A new name each time keeps every attempt a hash: a name that failed too
// often is locked, and locked names are refused before any hashing. A connection refused with
// 503 waits the Retry-After the server sends before its next attempt: the flood keeps A's
// share of the pool full, and the load generator, which may share the server's CPUs, does not
// measure its own spinning on refusals (a rate limit in front of the server bounds those).
type flooder struct {
	c     *Client
	token string
	run   string
	wg    sync.WaitGroup
	seq   atomic.Int64
	// counts of the current window: rejected (400), busy (503), other; frozen at its end.
	counts     [3]atomic.Int64
	frozen     [3]int64
	firstOther atomic.Pointer[string]
}

func (f *flooder) start(ctx context.Context, conns int) {
	for range conns {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for ctx.Err() == nil {
				name := fmt.Sprintf("flood-%s-%d@example.com", f.run, f.seq.Add(1))
				body := map[string]any{"username": name, "username_type": "email", "password": "Not-The-Password-1"}
				if f.count(ctx, f.c.JSON(ctx, "POST", "/cis/v1/auth/password/authenticate", f.token, body, nil)) {
					select {
					case <-ctx.Done():
					case <-time.After(busyRetryAfter):
					}
				}
			}
		}()
	}
}

// count counts an answer of the flood and reports whether it was busy.
func (f *flooder) count(ctx context.Context, err error) (busy bool) {
	var se *StatusError
	switch {
	case ctx.Err() != nil:
	case errors.As(err, &se) && se.Status == http.StatusBadRequest:
		f.counts[0].Add(1)
	case errors.As(err, &se) && se.Status == http.StatusServiceUnavailable:
		f.counts[1].Add(1)
		return true
	default:
		f.counts[2].Add(1)
		msg := "no error: a made-up name logged in"
		if err != nil {
			msg = err.Error()
		}
		f.firstOther.CompareAndSwap(nil, &msg)
	}
	return false
}

// reset starts counting the flood's answers at B's timed window; freeze keeps them at its end.
func (f *flooder) reset() {
	for i := range f.counts {
		f.counts[i].Store(0)
	}
}

func (f *flooder) freeze() {
	for i := range f.counts {
		f.frozen[i] = f.counts[i].Load()
	}
}
