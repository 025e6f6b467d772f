package bench

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func sleepStep(name string, d time.Duration) Step {
	return Step{Name: name, Do: func(context.Context) error { time.Sleep(d); return nil }}
}

// One worker whose iteration sleeps 2x is offered four times what it can do: every iteration
// after the first waits for the one before, and that wait must be in its latency. The bounds
// follow from the sleeps alone, whatever the machine's speed.
func TestDriveRateMeasuresFromScheduledStart(t *testing.T) {
	const x = 2 * time.Millisecond
	const rate = 1000.0 // iterations due 1 ms apart; one worker needs at least 2x = 4 ms each
	interval := time.Second / time.Duration(rate)
	l := RateLoad{Rate: rate, Duration: 500 * time.Millisecond}
	w, err := DriveRate(context.Background(), l, [][]Step{{sleepStep("a", x), sleepStep("b", x)}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Scheduled != 500 {
		t.Fatalf("scheduled %d iterations in 500 ms at 1000/s", w.Scheduled)
	}
	if w.Errors != 0 || w.Iterations+w.Missed != w.Scheduled {
		t.Fatalf("iterations %d + missed %d != scheduled %d (errors %d)", w.Iterations, w.Missed, w.Scheduled, w.Errors)
	}
	// Nothing is sent after the window closes, lateSlack after 500 ms, and the worker starts
	// an iteration at most every 4 ms: at most 510/4 + 1 iterations.
	if w.Missed < w.Scheduled-128 {
		t.Fatalf("missed %d: one worker cannot keep up with four times its rate", w.Missed)
	}
	n := len(w.IterationLatencies)
	if len(w.SendLags) != n {
		t.Fatalf("%d send lags for %d iterations", len(w.SendLags), n)
	}
	if n < 2 || int64(n) != w.Iterations || len(w.Steps[0].Latencies) != n || len(w.Steps[1].Latencies) != n {
		t.Fatalf("%d iterations, %d iteration samples, %d and %d step samples",
			w.Iterations, n, len(w.Steps[0].Latencies), len(w.Steps[1].Latencies))
	}
	for i, lat := range w.IterationLatencies {
		a, b := w.Steps[0].Latencies[i], w.Steps[1].Latencies[i]
		// Iteration i was due at i intervals and cannot end before 2x(i+1): the iterations
		// before it ran first on the only worker.
		if least := time.Duration(2*(i+1))*x - time.Duration(i)*interval; lat < least {
			t.Fatalf("iteration %d took %v, less than the %v it had to wait and run", i, lat, least)
		}
		if least := time.Duration(2*i+1)*x - time.Duration(i)*interval; a < least {
			t.Fatalf("first step of iteration %d took %v from its due time, less than %v", i, a, least)
		}
		// Iteration i could not be sent before the 2x·i the ones before it took.
		if least := time.Duration(2*i)*x - time.Duration(i)*interval; w.SendLags[i] < least || w.SendLags[i] > a {
			t.Fatalf("iteration %d sent %v after it was due, want at least %v and at most its first step's %v", i, w.SendLags[i], least, a)
		}
		// The second step was due when the first ended: it waited for nothing.
		if b < x || a+b != lat {
			t.Fatalf("iteration %d: steps %v + %v, iteration %v", i, a, b, lat)
		}
	}
	// The last iteration waited behind all the others: well above its own 2x.
	if p99 := Summarize(w.IterationLatencies).P99; p99 < 2*x || w.IterationLatencies[n-1] < time.Duration(n)*x {
		t.Fatalf("p99 %v, last %v: queueing is missing", p99, w.IterationLatencies[n-1])
	}
}

func TestDriveRateReachesTargetOnFastServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") }))
	defer srv.Close()
	c := NewClient(srv.URL, 8)
	defer c.Close()
	var workers [][]Step
	for range 8 {
		workers = append(workers, []Step{{Name: "get", Do: func(ctx context.Context) error { return c.JSON(ctx, "GET", "/", "", nil, nil) }}})
	}
	const rate = 200.0
	w, err := DriveRate(context.Background(), RateLoad{Rate: rate, Duration: time.Second}, workers)
	if err != nil {
		t.Fatal(err)
	}
	if w.Scheduled != 200 || w.Errors != 0 {
		t.Fatalf("scheduled %d, errors %d (%s)", w.Scheduled, w.Errors, w.FirstError)
	}
	var h HalfPeak
	h.fill(w)
	if h.IterationsPerSec < rate/2 || h.IterationsPerSec > rate*1.5 {
		t.Fatalf("achieved %.1f it/s for a target of %.0f", h.IterationsPerSec, rate)
	}
	if h.Iterations != w.Iterations || h.Requests != w.Iterations || h.IterationLatency.P99 == 0 || h.Latency.P99 == 0 {
		t.Fatalf("summary %+v", h)
	}
}

func TestDriveRateRejectsBadLoads(t *testing.T) {
	one := [][]Step{{sleepStep("a", 0)}}
	for _, l := range []RateLoad{{Rate: 0, Duration: time.Second}, {Rate: 1, Duration: 0}, {Rate: math.Inf(1), Duration: time.Second}, {Rate: math.NaN(), Duration: time.Second}} {
		if _, err := DriveRate(context.Background(), l, one); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
	if _, err := DriveRate(context.Background(), RateLoad{Rate: 1, Duration: time.Second}, nil); err == nil {
		t.Error("no workers accepted")
	}
}

// runScenario follows the closed loop with the open loop at half its rate, on the closed
// loop's workers plus new ones, never reusing the probe's worker number.
func TestRunScenarioHalfPeak(t *testing.T) {
	var mu sync.Mutex
	var built []int
	s := Scenario{Name: "fake", Setup: func(context.Context, *Env) (NewWorker, error) {
		return func(_ context.Context, w int) ([]Step, error) {
			mu.Lock()
			built = append(built, w)
			mu.Unlock()
			return []Step{sleepStep("one", time.Millisecond), sleepStep("two", 0)}, nil
		}, nil
	}}
	e := &Env{Opts: Options{Load: Load{Connections: 2, Duration: 200 * time.Millisecond}, HalfPeak: true, Log: io.Discard}}
	res, err := runScenario(context.Background(), e, s)
	if err != nil {
		t.Fatal(err)
	}
	h := res.HalfPeak
	if h == nil || res.Iterations == 0 {
		t.Fatalf("closed loop %d iterations, half peak %+v", res.Iterations, h)
	}
	if h.TargetPerSec != res.IterationsPerSec/2 || h.Workers != HalfPeakWorkers(2) || h.Iterations == 0 || len(h.Steps) != 2 {
		t.Fatalf("half peak %+v after %.1f it/s", h, res.IterationsPerSec)
	}
	slices.Sort(built)
	if want := []int{0, 1, 3, 4, 5, 6, 7, 8}; !slices.Equal(built, want) {
		t.Fatalf("built workers %v, want %v", built, want)
	}

	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		HalfPeak map[string]json.RawMessage `json:"half_peak"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"target_iterations_per_sec", "iterations_per_sec", "workers", "scheduled", "iterations",
		"errors", "waited", "missed", "latency", "iteration_latency", "send_lag", "steps"} {
		if _, ok := got.HalfPeak[k]; !ok {
			t.Errorf("half_peak lacks %q: %s", k, b)
		}
	}
	if !strings.Contains(string(got.HalfPeak["latency"]), `"p99_ns"`) {
		t.Errorf("half_peak latency has no p99: %s", got.HalfPeak["latency"])
	}

	e.Opts.HalfPeak = false
	if res, err := runScenario(context.Background(), e, s); err != nil || res.HalfPeak != nil {
		t.Fatalf("half peak ran when off: %+v, %v", res.HalfPeak, err)
	}
}

func TestWriteTableHalfPeak(t *testing.T) {
	rep := Report{Scenarios: []ScenarioResult{
		{Name: "jwks", HalfPeak: &HalfPeak{TargetPerSec: 500, IterationsPerSec: 498, Latency: Latency{P99: 3250 * time.Microsecond}}},
		{Name: "refresh", HalfPeak: &HalfPeak{TargetPerSec: 80, IterationsPerSec: 60, Waited: 4, Missed: 2, Errors: 1, FirstError: "refresh: status 500"}},
		{Name: "introspect"},
	}}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"½peak it/s", "p99 ms @½", " 498 ", "3.25", "refresh at half peak: target 80 it/s, 4 iterations waited for a free worker, 2 never sent, 1 errors, first: refresh: status 500"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "jwks at half peak") {
		t.Errorf("a clean half-peak run has a note:\n%s", out)
	}
}
