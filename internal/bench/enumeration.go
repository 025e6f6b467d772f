package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"time"
)

// EnumerationRoute is one route's timing of requests naming users who exist against requests
// naming nobody, with enumeration protection on: the bodies are alike by design, so time is
// what could tell the two apart.
type EnumerationRoute struct {
	Route string `json:"route"`
	Pairs int    `json:"pairs"`
	// KnownMedian and UnknownMedian are the median latencies of each side; MedianDiff is
	// known minus unknown.
	KnownMedian   time.Duration `json:"known_median_ns"`
	UnknownMedian time.Duration `json:"unknown_median_ns"`
	MedianDiff    time.Duration `json:"median_diff_ns"`
	// Z is the Mann-Whitney z-score of known against unknown latencies (see RankZ): positive
	// when requests for known users tend to be slower. |Z| < 2 means the two sides cannot be
	// told apart at this number of pairs.
	Z          float64 `json:"z"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
}

// enumerationRoute is one request shape, sent for a known and for an unknown identity.
type enumerationRoute struct {
	name string
	// do sends the request for id and returns the HTTP status of the answer (2xx as 200).
	do func(ctx context.Context, id identity) (int, error)
}

// identity is what a route may name a user by.
type identity struct{ email, phone string }

// enumerationTiming runs each route for known and unknown users, alternating between the two
// in a random order within each pair so that neither side always follows the other (a known
// send queues an email that the server's worker delivers while the next request runs).
// Requests go one at a time on one connection: concurrency would add queueing noise that
// hides differences rather than revealing them.
func enumerationTiming(ctx context.Context, e *Env) ([]EnumerationRoute, error) {
	restore, err := e.enableEnumerationProtection(ctx)
	if err != nil {
		return nil, err
	}
	defer restore()
	if err := e.ensureRedirectURI(ctx); err != nil {
		return nil, err
	}
	pairs := max(e.Opts.Pairs, 1)
	// Spread the requests over enough users that per-identifier limits (1000 sends an hour,
	// 100 links a minute, as raised by raiseSendLimits) and failure counts never bind.
	n := min(max(pairs/25, 2), 200)
	known, err := e.createEnumerationUsers(ctx, n)
	if err != nil {
		return nil, err
	}
	unknown := make([]identity, n)
	for i := range unknown {
		unknown[i] = identity{email: fmt.Sprintf("bench-%s-nobody-%d@example.com", e.run, i), phone: randomPhone()}
	}
	var out []EnumerationRoute
	for _, r := range e.enumerationRoutes() {
		fmt.Fprintf(e.Opts.Log, "enumeration %s: %d pairs\n", r.name, pairs)
		res, err := timeRoute(ctx, r, known, unknown, pairs)
		if err != nil {
			return out, fmt.Errorf("%s: %w", r.name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// timeRoute warms a route up, then times pairs of requests.
func timeRoute(ctx context.Context, r enumerationRoute, known, unknown []identity, pairs int) (EnumerationRoute, error) {
	res := EnumerationRoute{Route: r.name, Pairs: pairs}
	var k, u []time.Duration
	warm := min(max(pairs/10, 2), 50)
	for i := range warm + pairs {
		first, second := known[i%len(known)], unknown[i%len(unknown)]
		knownFirst := randomBit()
		if !knownFirst {
			first, second = second, first
		}
		d1, s1, err1 := timeOne(ctx, r, first)
		d2, s2, err2 := timeOne(ctx, r, second)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err := errors.Join(err1, err2); err != nil || s1 != s2 {
			if err == nil {
				err = fmt.Errorf("status %d for one identity and %d for the other", s1, s2)
			}
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
			continue
		}
		if i < warm {
			continue
		}
		if !knownFirst {
			d1, d2 = d2, d1
		}
		k, u = append(k, d1), append(u, d2)
	}
	res.KnownMedian, res.UnknownMedian = Median(k), Median(u)
	res.MedianDiff = res.KnownMedian - res.UnknownMedian
	res.Z = RankZ(k, u)
	return res, nil
}

func timeOne(ctx context.Context, r enumerationRoute, id identity) (time.Duration, int, error) {
	t0 := time.Now()
	status, err := r.do(ctx, id)
	return time.Since(t0), status, err
}

func randomBit() bool {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return b[0]&1 == 1
}

// randomPhone returns a possible US number; ten random digits make two runs against one
// server unlikely to collide.
func randomPhone() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
	return fmt.Sprintf("+1%d", 1_000_000_000+n.Int64())
}

// enableEnumerationProtection turns the application's enumeration protection on and returns
// the function that puts the previous setting back.
func (e *Env) enableEnumerationProtection(ctx context.Context) (func(), error) {
	path := "/cis/v1/applications/" + url.PathEscape(e.Opts.AppID)
	var app struct {
		Result struct {
			EnumerationProtection bool `json:"enumeration_protection"`
		} `json:"result"`
	}
	if err := e.Client.JSON(ctx, "GET", path, e.admin, nil, &app); err != nil {
		return nil, fmt.Errorf("read application: %w", err)
	}
	if app.Result.EnumerationProtection {
		return func() {}, nil
	}
	if err := e.Client.JSON(ctx, "PUT", path, e.admin, map[string]any{"enumeration_protection": true}, nil); err != nil {
		return nil, fmt.Errorf("enable enumeration protection: %w", err)
	}
	return func() {
		_ = e.Client.JSON(context.WithoutCancel(ctx), "PUT", path, e.admin, map[string]any{"enumeration_protection": false}, nil)
	}, nil
}

// runTiming runs a timing scenario and totals its requests and errors.
func runTiming(ctx context.Context, e *Env, s Scenario) (ScenarioResult, error) {
	res := ScenarioResult{Name: s.Name}
	routes, err := s.Timing(ctx, e)
	res.Enumeration = routes
	for _, r := range routes {
		res.Requests += 2 * int64(r.Pairs)
		res.Errors += r.Errors
		if res.FirstError == "" && r.FirstError != "" {
			res.FirstError = r.Route + ": " + r.FirstError
		}
	}
	return res, err
}
