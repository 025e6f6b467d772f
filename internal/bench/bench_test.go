package bench

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/password"
)

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[int]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 1: 1} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if got := Summarize([]time.Duration{3, 1, 2}); got.P50 != 2 || got.P99 != 3 || got.Max != 3 {
		t.Errorf("Summarize = %+v", got)
	}
	if got := Summarize(nil); got != (Latency{}) {
		t.Errorf("Summarize(nil) = %+v", got)
	}
}

func TestDriveCountsStepsErrorsAndBarriers(t *testing.T) {
	var calls atomic.Int64
	nw := func(_ context.Context, w int) ([]Step, error) {
		return []Step{
			{Name: "a", Do: func(context.Context) error { calls.Add(1); return nil }},
			{Name: "b", Do: func(context.Context) error {
				if w == 1 {
					return errors.New("boom")
				}
				return nil
			}},
		}, nil
	}
	var between, after int64
	w, err := Drive(context.Background(), Load{Connections: 2, Warmup: 20 * time.Millisecond, Duration: 50 * time.Millisecond}, nw,
		func() { between = calls.Load() }, func() { after = calls.Load() })
	if err != nil {
		t.Fatal(err)
	}
	if between == 0 || after <= between {
		t.Fatalf("barriers saw %d then %d calls", between, after)
	}
	if len(w.Steps) != 2 || w.Steps[0].Name != "a" || w.Steps[1].Name != "b" {
		t.Fatalf("steps %+v", w.Steps)
	}
	// Worker 1 fails every iteration at b; worker 0 completes every one.
	if w.Errors == 0 || w.Steps[1].Errors != w.Errors || !strings.Contains(w.FirstError, "b: boom") {
		t.Fatalf("errors %d, step errors %d, first %q", w.Errors, w.Steps[1].Errors, w.FirstError)
	}
	if int64(len(w.Steps[0].Latencies)) != after-between {
		t.Fatalf("recorded %d samples of a, ran %d", len(w.Steps[0].Latencies), after-between)
	}
	if w.Iterations+w.Errors != int64(len(w.Steps[1].Latencies)) {
		t.Fatalf("iterations %d + errors %d != samples of b %d", w.Iterations, w.Errors, len(w.Steps[1].Latencies))
	}
	var r ScenarioResult
	r.fill(w)
	if r.Requests != int64(len(w.Steps[0].Latencies)+len(w.Steps[1].Latencies)) || r.RequestsPerSec <= 0 {
		t.Fatalf("result %+v", r)
	}
}

func TestSelect(t *testing.T) {
	all, err := Select(nil)
	if err != nil || len(all) != 11 || all[10].Name != "enumeration-timing" || all[10].Timing == nil {
		t.Fatalf("Select(nil) = %d scenarios, %v", len(all), err)
	}
	got, err := Select([]string{"jwks", " refresh"})
	if err != nil || len(got) != 2 || got[0].Name != "jwks" || got[1].Name != "refresh" {
		t.Fatalf("Select = %v, %v", got, err)
	}
	if _, err := Select([]string{"nope"}); err == nil {
		t.Fatal("unknown scenario accepted")
	}
}

func TestReadCounters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/vars" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{VarStatements: 12, VarTransactions: 3, VarCPUSeconds: 1.5, "memstats": map[string]any{}})
	}))
	defer srv.Close()
	c, err := ReadCounters(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if c != (Counters{Statements: 12, Transactions: 3, CPUSeconds: 1.5}) {
		t.Fatalf("counters %+v", c)
	}
	if d := c.Sub(Counters{Statements: 2, Transactions: 1, CPUSeconds: 0.5}); d.Statements != 10 || d.Transactions != 2 || d.CPUSeconds != 1 {
		t.Fatalf("Sub = %+v", d)
	}
	if _, err := ReadCounters(context.Background(), srv.URL+"/missing"); err == nil {
		t.Fatal("a 404 was read as counters")
	}
}

func TestFloorHandler(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		h, err := FloorHandler(alg, password.Params{Memory: 64, Time: 1, Threads: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		c := NewClient(srv.URL, 1)
		var out struct {
			Tokens []string `json:"tokens"`
			Hash   string   `json:"hash"`
		}
		if err := c.JSON(context.Background(), "POST", "/floor?sign=2&verify=1&argon2=1", "", map[string]any{"a": 1}, &out); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if len(out.Tokens) != 2 || out.Hash == "" {
			t.Fatalf("%s: floor answer %+v", alg, out)
		}
		c.Close()
		srv.Close()
	}
	if _, err := FloorHandler("HS256", password.DefaultParams(), nil); err == nil {
		t.Fatal("HS256 accepted")
	}
}

func TestCostString(t *testing.T) {
	if got := (Cost{Verify: 1, Sign: 2}).String(); got != "HTTP+2 sign+1 verify" {
		t.Errorf("got %q", got)
	}
	if got := (Cost{}).String(); got != "HTTP" {
		t.Errorf("got %q", got)
	}
}

func TestWriteTable(t *testing.T) {
	x := 0.002
	rep := Report{URL: "http://x", Connections: 2, Scenarios: []ScenarioResult{{Name: "jwks", RequestsPerSec: 100, CPUPerRequest: &x,
		Probe: []StepCount{{Name: "jwks"}}, Floor: &Floor{IterationsPerSec: 200, Ratio: 0.5}, FirstError: "jwks: status 500"}}}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"jwks", "2.000", "jwks 0/0", "0.50", "first error: jwks: status 500"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestFloorCommits(t *testing.T) {
	var commits int
	h, err := FloorHandler("ES256", password.Params{Memory: 64, Time: 1, Threads: 1}, func(context.Context) error { commits++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := NewClient(srv.URL, 1)
	defer c.Close()
	for _, q := range []string{"/floor?sign=2&commit=1", "/floor?verify=1&commit=0"} {
		if err := c.JSON(context.Background(), "POST", q, "", map[string]any{"a": 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if commits != 1 {
		t.Fatalf("%d commits, want 1", commits)
	}
	without, _ := FloorHandler("ES256", password.Params{Memory: 64, Time: 1, Threads: 1}, nil)
	srv2 := httptest.NewServer(without)
	defer srv2.Close()
	c2 := NewClient(srv2.URL, 1)
	defer c2.Close()
	if err := c2.JSON(context.Background(), "POST", "/floor?commit=1", "", map[string]any{"a": 1}, nil); err == nil {
		t.Fatal("a floor without a database answered a commit")
	}
}

func TestWithCommit(t *testing.T) {
	for _, s := range Scenarios() {
		wc := WithCommit(s.Floor)
		commits := 0
		for _, c := range wc {
			commits += c.Commit
		}
		// The data-size scenario times requests of its own and has no floor.
		writes := s.Name != "client-credentials" && s.Name != "introspect" && s.Name != "jwks" && s.Timing == nil && len(s.Floor) > 0
		if writes != (commits == 1) || (!writes && len(wc) != 0) {
			t.Errorf("%s: commit floor %v", s.Name, wc)
		}
		for _, c := range s.Floor {
			if c.Commit != 0 {
				t.Errorf("%s: WithCommit changed the scenario's own floor", s.Name)
			}
		}
	}
}
