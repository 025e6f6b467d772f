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
// errors. password-fairness instead runs tenant B's logins alone and then while a second
// tenant floods a pool of one worker with more logins than its queue holds: B must get no
// error (no 503) in either window, since B's call displaces one of the flood's. It asserts no
// timing.
func TestBenchSmoke(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--duration", "500ms", "--warmup", "200ms", "--connections", "2", "--users", "40", "--half-peak", "--json",
		"--flood-connections", "8", "--password-workers", "1", "--password-queue", "4"}
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
		if ok && want.Run != nil {
			checkFairness(t, s)
			continue
		}
		switch {
		case !ok:
			t.Errorf("scenario %s missing from the report", want.Name)
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

// checkFairness checks the password-fairness scenario's report: both of tenant B's windows
// made logins without errors, and the flood was answered (wrong password or busy) and never
// otherwise.
func checkFairness(t *testing.T, s bench.ScenarioResult) {
	t.Helper()
	f := s.Fairness
	switch {
	case f == nil:
		t.Errorf("scenario %s: no fairness result", s.Name)
	case f.UnloadedRequests == 0 || s.Requests == 0:
		t.Errorf("scenario %s: tenant B made %d logins alone and %d under the flood", s.Name, f.UnloadedRequests, s.Requests)
	case f.UnloadedErrors != 0 || s.Errors != 0:
		t.Errorf("scenario %s: tenant B had %d errors alone and %d under the flood, first: %s", s.Name, f.UnloadedErrors, s.Errors, s.FirstError)
	case f.FloodRejected+f.FloodBusy == 0:
		t.Errorf("scenario %s: the flood got no answer: %+v", s.Name, f)
	case f.FloodOther != 0:
		t.Errorf("scenario %s: the flood got %d unexpected answers, first: %s", s.Name, f.FloodOther, f.FloodFirstOther)
	case f.Unloaded.P99 <= 0 || f.Flooded.P99 <= 0 || f.Ratio <= 0:
		t.Errorf("scenario %s: latencies missing: %+v", s.Name, f)
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
