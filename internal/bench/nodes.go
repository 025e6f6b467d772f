package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// Node is one of several servers on one database that a run spreads its connections over.
type Node struct {
	URL      string `json:"url"`
	AdminURL string `json:"admin_url,omitempty"`
}

// NodeResult is one node's share of a scenario's timed window, reported when the connections
// were spread over several nodes. Its counters are that node's own, so that a node's cost per
// request can be set beside a single node's.
type NodeResult struct {
	URL                      string   `json:"url"`
	Connections              int      `json:"connections"`
	Iterations               int64    `json:"iterations"`
	Requests                 int64    `json:"requests"`
	RequestsPerSec           float64  `json:"requests_per_sec"`
	CPUPerRequest            *float64 `json:"server_cpu_seconds_per_request,omitempty"`
	StatementsPerIteration   *float64 `json:"sql_statements_per_iteration,omitempty"`
	TransactionsPerIteration *float64 `json:"sql_transactions_per_iteration,omitempty"`
	// Probe is the exact SQL work of each step sent to this node alone (see probe).
	Probe []StepCount `json:"probe,omitempty"`
}

// multiNode reports whether connections are spread over several nodes.
func (e *Env) multiNode() bool { return len(e.clients) > 1 }

// probeWorkers is how many worker numbers the probe takes after the closed loop's: one per
// node, so that every node's steps are counted alone.
func (e *Env) probeWorkers() int { return max(len(e.clients), 1) }

// nodeOf is the node of worker w: connections are dealt to the nodes round robin, and each
// keeps its node for the whole scenario. What a worker was given at its setup (a session, a
// refresh token) may come from another node: they share the database, as a deployment's do.
func (e *Env) nodeOf(w int) int { return w % len(e.clients) }

// on is the client of worker w's node.
func (e *Env) on(w int) *Client { return e.clients[e.nodeOf(w)] }

// counted reports whether every node publishes counters.
func (e *Env) counted() bool {
	if len(e.nodes) == 0 {
		return false
	}
	for _, n := range e.nodes {
		if n.AdminURL == "" {
			return false
		}
	}
	return true
}

// readCounters reads every node's counters, in the order of e.nodes. The load is stopped
// while they are read, so reading them one after the other loses nothing.
func (e *Env) readCounters(ctx context.Context) ([]Counters, error) {
	out := make([]Counters, len(e.nodes))
	for i, n := range e.nodes {
		c, err := ReadCounters(ctx, n.AdminURL)
		if err != nil {
			if e.multiNode() {
				return nil, fmt.Errorf("node %d: %w", i+1, err)
			}
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// total adds the counters of every node.
func total(cs []Counters) Counters {
	var t Counters
	for _, c := range cs {
		t.Statements += c.Statements
		t.Transactions += c.Transactions
		t.CPUSeconds += c.CPUSeconds
	}
	return t
}

// nodeResults splits a timed window by node: each node's requests and iterations are those of
// the workers dealt to it, its counters the difference of its own.
func (e *Env) nodeResults(w Window, before, after []Counters) []NodeResult {
	out := make([]NodeResult, len(e.nodes))
	for i, n := range e.nodes {
		out[i].URL = n.URL
	}
	for wi, wc := range w.Workers {
		r := &out[e.nodeOf(wi)]
		r.Connections++
		r.Iterations += wc.Iterations
		r.Requests += wc.Requests
	}
	for i := range out {
		r := &out[i]
		if sec := w.Elapsed.Seconds(); sec > 0 {
			r.RequestsPerSec = float64(r.Requests) / sec
		}
		if before == nil || after == nil {
			continue
		}
		d := after[i].Sub(before[i])
		if r.Requests > 0 {
			r.CPUPerRequest = ratio(d.CPUSeconds, r.Requests)
		}
		if r.Iterations > 0 {
			r.StatementsPerIteration = ratio(float64(d.Statements), r.Iterations)
			r.TransactionsPerIteration = ratio(float64(d.Transactions), r.Iterations)
		}
	}
	return out
}

func ratio(v float64, n int64) *float64 { x := v / float64(n); return &x }

// writeNodes writes, for the scenarios run on several nodes, each node's share and cost and
// the nodes' total, so that a node's CPU and SQL work per request can be compared with a
// one-node run's.
func writeNodes(w io.Writer, scenarios []ScenarioResult) error {
	if !slices.ContainsFunc(scenarios, func(s ScenarioResult) bool { return len(s.Nodes) > 0 }) {
		return nil
	}
	fmt.Fprintln(w, "per node: each node's connections, requests and own counters; all: the nodes together")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tnode\tconns\trequests\treq/s\tCPU ms/req\tSQL/it\ttx/it\tper step alone (SQL/tx)\t")
	for _, s := range scenarios {
		for i, n := range s.Nodes {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", s.Name, i+1, n.Connections, n.Requests, n.RequestsPerSec,
				opt(n.CPUPerRequest, 1000, "%.3f"), opt(n.StatementsPerIteration, 1, "%.2f"), opt(n.TransactionsPerIteration, 1, "%.2f"), probeText(n.Probe))
		}
		if len(s.Nodes) > 0 {
			fmt.Fprintf(tw, "%s\tall\t%d\t%d\t%.0f\t%s\t%s\t%s\t\t\n", s.Name, sumConns(s.Nodes), s.Requests, s.RequestsPerSec,
				opt(s.CPUPerRequest, 1000, "%.3f"), opt(s.StatementsPerIteration, 1, "%.2f"), opt(s.TransactionsPerIteration, 1, "%.2f"))
		}
	}
	return tw.Flush()
}

func sumConns(nodes []NodeResult) int {
	n := 0
	for _, r := range nodes {
		n += r.Connections
	}
	return n
}
