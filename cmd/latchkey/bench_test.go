package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/latchkey/latchkey/internal/bench"
)

// benchChildEnv makes the test binary act as the latchkey binary: the bench starts its server
// with os.Executable(), which in a test is the test binary.
const benchChildEnv = "LKTEST_RUN_AS_LATCHKEY"

func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBenchSmoke runs every scenario briefly, closed loop then open loop at half its rate,
// against a server the bench starts itself and checks that each one made requests without
// errors. It asserts no timing.
func TestBenchSmoke(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--duration", "500ms", "--warmup", "200ms", "--connections", "2", "--users", "40", "--half-peak", "--pairs", "5", "--json"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("latchkey bench exited %d; stderr:\n%s", code, stderr.String())
	}
	var rep bench.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	got := map[string]bench.ScenarioResult{}
	for _, s := range rep.Scenarios {
		got[s.Name] = s
	}
	for _, want := range bench.Scenarios() {
		s, ok := got[want.Name]
		switch {
		case !ok:
			t.Errorf("scenario %s missing from the report", want.Name)
		case want.Timing != nil:
			checkTiming(t, s)
		case s.Requests == 0:
			t.Errorf("scenario %s made no requests", want.Name)
		case s.Errors != 0:
			t.Errorf("scenario %s: %d errors, first: %s", want.Name, s.Errors, s.FirstError)
		case s.StatementsPerIteration == nil || s.CPUPerRequest == nil:
			t.Errorf("scenario %s: server counters missing", want.Name)
		case s.HalfPeak == nil:
			t.Errorf("scenario %s: no half-peak run", want.Name)
		case s.HalfPeak.Iterations == 0 || s.HalfPeak.Errors != 0:
			t.Errorf("scenario %s at half peak: %d iterations, %d errors, first: %s", want.Name, s.HalfPeak.Iterations, s.HalfPeak.Errors, s.HalfPeak.FirstError)
		case s.HalfPeak.TargetPerSec != s.IterationsPerSec/2:
			t.Errorf("scenario %s: half peak aimed at %.1f it/s after %.1f", want.Name, s.HalfPeak.TargetPerSec, s.IterationsPerSec)
		}
	}
	if rep.Server == nil || rep.Server.StartToReady <= 0 {
		t.Errorf("server info missing: %+v", rep.Server)
	}
}

// checkTiming checks that a timing scenario timed every route, known and unknown users
// answered alike, and nothing failed. It asserts no timing.
func checkTiming(t *testing.T, s bench.ScenarioResult) {
	t.Helper()
	if len(s.Enumeration) < 6 || s.Errors != 0 {
		t.Errorf("scenario %s: %d routes, %d errors, first: %s", s.Name, len(s.Enumeration), s.Errors, s.FirstError)
	}
	for _, r := range s.Enumeration {
		if r.Pairs != 5 || r.KnownMedian <= 0 || r.UnknownMedian <= 0 {
			t.Errorf("scenario %s, route %s: %+v", s.Name, r.Route, r)
		}
	}
}

func TestAdminAddrDefaultsToLoopback(t *testing.T) {
	for in, want := range map[string]string{"6060": "127.0.0.1:6060", ":6060": "127.0.0.1:6060", "0.0.0.0:6060": "0.0.0.0:6060"} {
		if got := adminAddr(in); got != want {
			t.Errorf("adminAddr(%q) = %q, want %q", in, got, want)
		}
	}
	if countCPUs("0,2-3") != 3 || countCPUs("x") != 0 {
		t.Error("countCPUs")
	}
}
