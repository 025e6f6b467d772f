package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
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
	args := []string{"bench", "--start", "--duration", "500ms", "--warmup", "200ms", "--connections", "2", "--users", "40", "--half-peak", "--pairs", "5", "--json",
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
		if want.Explicit {
			continue // runs only when named (TestBenchDataSizeSmoke)
		}
		s, ok := got[want.Name]
		if ok && want.Run != nil {
			checkFairness(t, s)
			continue
		}
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

// TestBenchDataSizeSmoke runs the data-size scenario with small growths: every request must
// succeed at both sizes, and the report must name both sizes and a ratio for each request.
// It asserts no timing.
func TestBenchDataSizeSmoke(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--scenarios", "data-size", "--half-peak=false", "--json", "--data-users", "600",
		"--data-audit", "900", "--data-tenants", "30", "--data-hot", "300", "--data-small-fraction", "3", "--data-requests", "5"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("latchkey bench exited %d; stderr:\n%s", code, stderr.String())
	}
	var rep bench.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	if len(rep.Scenarios) != 1 || rep.Scenarios[0].DataSize == nil {
		t.Fatalf("report %+v, want the data-size scenario's result", rep.Scenarios)
	}
	s := rep.Scenarios[0]
	d := s.DataSize
	if s.Errors != 0 {
		t.Errorf("%d errors, first: %s", s.Errors, s.FirstError)
	}
	if want := (bench.DataSize{Users: 200, AuditEvents: 300, Tenants: 10, HotRows: 100}); d.Small != want {
		t.Errorf("small size %+v, want %+v", d.Small, want)
	}
	if want := (bench.DataSize{Users: 600, AuditEvents: 900, Tenants: 30, HotRows: 100 * 3}); d.Grown != want {
		t.Errorf("grown size %+v, want %+v", d.Grown, want)
	}
	if len(d.Ops) < 10 {
		t.Errorf("%d requests timed, want every one of the scenario's", len(d.Ops))
	}
	for _, o := range d.Ops {
		if o.SmallP50 <= 0 || o.GrownP50 <= 0 || o.Ratio <= 0 || o.SmallErrs+o.GrownErrs != 0 {
			t.Errorf("%s: %+v, want timings at both sizes without errors", o.Name, o)
		}
	}
}

// TestBenchTenantScaleSmoke runs the tenant-scale comparison with a small tenant count and
// checks that both steps ran without errors and that the published key set did not grow with
// the tenants. It asserts no timing.
func TestBenchTenantScaleSmoke(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--tenants", "40", "--duration", "300ms", "--warmup", "100ms", "--connections", "2", "--half-peak=false", "--json"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("latchkey bench --tenants exited %d; stderr:\n%s", code, stderr.String())
	}
	var rep bench.TenantScaleReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	if len(rep.Steps) != 2 {
		t.Fatalf("%d steps, want a baseline and a scaled one", len(rep.Steps))
	}
	small, large := rep.Steps[0].JWKS, rep.Steps[1].JWKS
	// --start makes the bootstrapped tenant and the password-fairness scenario's second one;
	// --tenants 40 then adds 39.
	if small.Tenants < 1 || large.Tenants-small.Tenants != 39 {
		t.Errorf("tenant counts %d and %d, want 39 added", small.Tenants, large.Tenants)
	}
	if small.Keys == 0 || small.Bytes == 0 || small.BuildMicros <= 0 {
		t.Errorf("baseline JWKS not measured: %+v", small)
	}
	if large.Keys != small.Keys || large.Bytes != small.Bytes {
		t.Errorf("the JWKS grew with the tenants: %+v, then %+v", small, large)
	}
	for _, step := range rep.Steps {
		if len(step.Report.Scenarios) != len(bench.TenantScaleScenarios) {
			t.Errorf("%d tenants: %d scenarios run", step.JWKS.Tenants, len(step.Report.Scenarios))
		}
		for _, s := range step.Report.Scenarios {
			if s.Requests == 0 || s.Errors != 0 {
				t.Errorf("%d tenants, %s: %d requests, %d errors, first: %s", step.JWKS.Tenants, s.Name, s.Requests, s.Errors, s.FirstError)
			}
		}
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

// TestBenchNodesRefusedOnSQLite: several nodes need a database they can share.
func TestBenchNodesRefusedOnSQLite(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--start", "--nodes", "2"}, &stdout, &stderr); code == 0 {
		t.Fatal("latchkey bench --nodes 2 on SQLite succeeded")
	}
	if !strings.Contains(stderr.String(), "SQLite") {
		t.Errorf("stderr %q does not say why", stderr.String())
	}
}

// TestBenchTwoNodesPostgres runs refresh and session authentication on one node, then on two
// nodes sharing one PostgreSQL database (a fresh schema each), and checks that both nodes
// served requests without errors and that each node's steps, probed alone, make exactly the
// statements and transactions of the one-node run's. The timed windows' counts also include
// each node's background work (the outbox's polls), so they are bounded below only. It
// asserts no timing.
func TestBenchTwoNodesPostgres(t *testing.T) {
	one := benchPostgres(t, sqlstore.TestPostgresDSN(t), 1)
	two := benchPostgres(t, sqlstore.TestPostgresDSN(t), 2)
	if two.Server == nil || two.Server.Nodes != 2 {
		t.Errorf("server info %+v, want 2 nodes", two.Server)
	}
	if one.Server == nil || one.Server.Nodes != 0 || len(one.Scenarios) == 0 || one.Scenarios[0].Nodes != nil {
		t.Errorf("the one-node report names nodes: %+v", one)
	}
	if len(two.Scenarios) != len(one.Scenarios) {
		t.Fatalf("%d scenarios on two nodes, %d on one", len(two.Scenarios), len(one.Scenarios))
	}
	for i, s := range two.Scenarios {
		want := one.Scenarios[i].Probe
		if len(want) == 0 || one.Scenarios[i].Errors != 0 {
			t.Errorf("%s on one node: probe %v, %d errors, first: %s", s.Name, want, one.Scenarios[i].Errors, one.Scenarios[i].FirstError)
		}
		perIteration := int64(0)
		for _, c := range want {
			perIteration += c.Statements
		}
		if s.Errors != 0 || len(s.Nodes) != 2 {
			t.Errorf("%s on two nodes: %d errors (first: %s), %d nodes reported", s.Name, s.Errors, s.FirstError, len(s.Nodes))
			continue
		}
		for k, n := range s.Nodes {
			switch {
			case n.Requests == 0 || n.Iterations == 0 || n.Connections != 2:
				t.Errorf("%s, node %d: %d connections, %d requests, %d iterations", s.Name, k+1, n.Connections, n.Requests, n.Iterations)
			case !slices.Equal(n.Probe, want):
				t.Errorf("%s, node %d: steps alone %v, on one node %v", s.Name, k+1, n.Probe, want)
			case n.StatementsPerIteration == nil || n.CPUPerRequest == nil || *n.StatementsPerIteration < float64(perIteration):
				t.Errorf("%s, node %d: counters %+v, want at least %d statements an iteration", s.Name, k+1, n, perIteration)
			}
		}
	}
}

// benchPostgres runs a short bench of refresh and session authentication on nodes servers on
// the PostgreSQL database dsn and returns its report.
func benchPostgres(t *testing.T, dsn string, nodes int) bench.Report {
	t.Helper()
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--database", dsn, "--nodes", strconv.Itoa(nodes), "--scenarios", "refresh,session-authenticate",
		"--duration", "500ms", "--warmup", "200ms", "--connections", "4", "--half-peak=false", "--algorithm", "ES256", "--json"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("latchkey bench --nodes %d exited %d; stderr:\n%s", nodes, code, stderr.String())
	}
	var rep bench.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	return rep
}
