package bench

import (
	"strings"
	"testing"
	"time"
)

// nodeResults gives each node the workers dealt to it round robin, and divides each node's
// own counter differences by its own requests and iterations.
func TestNodeResultsSplitByWorker(t *testing.T) {
	e := &Env{nodes: []Node{{URL: "http://a"}, {URL: "http://b"}}, clients: []*Client{NewClient("http://a", 1), NewClient("http://b", 1)}}
	w := Window{Elapsed: time.Second, Workers: []WorkerCount{{Iterations: 10, Requests: 20}, {Iterations: 5, Requests: 10},
		{Iterations: 10, Requests: 20}}}
	before := []Counters{{Statements: 100, Transactions: 10, CPUSeconds: 1}, {Statements: 50}}
	after := []Counters{{Statements: 220, Transactions: 30, CPUSeconds: 1.08}, {Statements: 80, Transactions: 5, CPUSeconds: 0.02}}
	got := e.nodeResults(w, before, after)
	if len(got) != 2 || got[0].Connections != 2 || got[1].Connections != 1 {
		t.Fatalf("%+v, want workers 0 and 2 on the first node, 1 on the second", got)
	}
	a, b := got[0], got[1]
	if a.Iterations != 20 || a.Requests != 40 || a.RequestsPerSec != 40 || *a.StatementsPerIteration != 6 || *a.TransactionsPerIteration != 1 {
		t.Errorf("first node %+v", a)
	}
	if b.Iterations != 5 || b.Requests != 10 || *b.StatementsPerIteration != 6 || *b.TransactionsPerIteration != 1 ||
		*b.CPUPerRequest < 0.0019 || *b.CPUPerRequest > 0.0021 {
		t.Errorf("second node %+v", b)
	}
}

// A run on one node prints no per-node table; a run on several prints a row per node and one
// for the nodes together.
func TestWriteTableNodes(t *testing.T) {
	x := 6.0
	one := Report{Scenarios: []ScenarioResult{{Name: "refresh", StatementsPerIteration: &x}}}
	var b strings.Builder
	if err := one.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "per node") {
		t.Errorf("one node's table has a per-node part:\n%s", b.String())
	}
	two := one
	two.Scenarios = []ScenarioResult{{Name: "refresh", StatementsPerIteration: &x, Nodes: []NodeResult{
		{Connections: 1, StatementsPerIteration: &x, Probe: []StepCount{{Name: "refresh", Statements: 6, Transactions: 1}}},
		{Connections: 1, StatementsPerIteration: &x}}}}
	b.Reset()
	if err := two.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"per node", "refresh 6/1", "refresh     1", "refresh     2", "refresh   all"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
