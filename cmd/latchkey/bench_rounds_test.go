package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/latchkey/latchkey/internal/bench"
)

// TestBenchFloorRounds measures a read flow and a write flow in three rounds beside their
// floors, against a server and a floor server the bench starts: each floor (and, for the
// write flow, the floor with a commit) must report a ratio for every round and one over all
// of them, and the scenario's own counters must cover its rounds. It asserts no timing.
func TestBenchFloorRounds(t *testing.T) {
	t.Setenv(benchChildEnv, "1")
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--start", "--floor", "--rounds", "3", "--duration", "600ms", "--warmup", "100ms",
		"--connections", "2", "--half-peak=false", "--scenarios", "client-credentials,refresh", "--json"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("latchkey bench exited %d; stderr:\n%s", code, stderr.String())
	}
	var rep bench.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, stdout.String())
	}
	if len(rep.Scenarios) != 2 {
		t.Fatalf("%d scenarios reported, want 2", len(rep.Scenarios))
	}
	for _, s := range rep.Scenarios {
		if s.Requests == 0 || s.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors, first: %s", s.Name, s.Requests, s.Errors, s.FirstError)
		}
		if s.StatementsPerIteration == nil || *s.StatementsPerIteration < 1 {
			t.Errorf("%s: statements per iteration %v, want at least 1 (counted over the rounds)", s.Name, s.StatementsPerIteration)
		}
		floors := map[string]*bench.Floor{"floor": s.Floor}
		if s.Name == "refresh" {
			floors["floor with a commit"] = s.CommitFloor
		}
		for what, f := range floors {
			switch {
			case f == nil:
				t.Errorf("%s: no %s", s.Name, what)
			case len(f.RoundRatios) != 3:
				t.Errorf("%s: %s has %d round ratios, want 3", s.Name, what, len(f.RoundRatios))
			case f.Ratio <= 0 || f.IterationsPerSec <= 0:
				t.Errorf("%s: %s ratio %v at %v it/s", s.Name, what, f.Ratio, f.IterationsPerSec)
			}
			if f == nil {
				continue
			}
			for i, r := range f.RoundRatios {
				if r <= 0 {
					t.Errorf("%s: %s round %d ratio %v", s.Name, what, i, r)
				}
			}
		}
	}
}
