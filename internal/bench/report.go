package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	URL         string           `json:"url"`
	Algorithm   string           `json:"algorithm,omitempty"`
	Connections int              `json:"connections"`
	Warmup      string           `json:"warmup"`
	Duration    string           `json:"duration"`
	Started     time.Time        `json:"started"`
	Server      *ServerInfo      `json:"server,omitempty"`
	Scenarios   []ScenarioResult `json:"scenarios"`
}

// ServerInfo describes a server the benchmark started itself.
type ServerInfo struct {
	Database string `json:"database"`
	// Nodes is how many servers the benchmark started on the database, when more than one;
	// the start and memory figures are then the first's.
	Nodes        int     `json:"nodes,omitempty"`
	StartToReady float64 `json:"start_to_ready_ms"`
	IdleRSSBytes int64   `json:"idle_rss_bytes,omitempty"`
	ServerCPUs   string  `json:"server_cpus,omitempty"`
	LoadCPUs     string  `json:"load_cpus,omitempty"`
}

// ScenarioResult is one scenario's measurements. Counter-based fields are nil when the server
// publishes no counters.
type ScenarioResult struct {
	Name                     string       `json:"name"`
	Iterations               int64        `json:"iterations"`
	Requests                 int64        `json:"requests"`
	Errors                   int64        `json:"errors"`
	FirstError               string       `json:"first_error,omitempty"`
	RequestsPerSec           float64      `json:"requests_per_sec"`
	IterationsPerSec         float64      `json:"iterations_per_sec"`
	Latency                  Latency      `json:"latency"`
	Steps                    []StepResult `json:"steps"`
	CPUPerRequest            *float64     `json:"server_cpu_seconds_per_request,omitempty"`
	StatementsPerIteration   *float64     `json:"sql_statements_per_iteration,omitempty"`
	TransactionsPerIteration *float64     `json:"sql_transactions_per_iteration,omitempty"`
	Probe                    []StepCount  `json:"probe,omitempty"`
	Floor                    *Floor       `json:"floor,omitempty"`
	// CommitFloor is Floor plus one durable commit on the login step (WithCommit).
	CommitFloor *Floor    `json:"commit_floor,omitempty"`
	HalfPeak    *HalfPeak `json:"half_peak,omitempty"`
	Fairness    *Fairness `json:"fairness,omitempty"`
	// Enumeration is the result of a timing scenario, route by route.
	Enumeration []EnumerationRoute `json:"enumeration,omitempty"`
	// DataSize is the result of the data-size scenario.
	DataSize *DataSizeResult `json:"data_size,omitempty"`
	// Nodes is each node's share of the timed window when the connections were spread over
	// several; the counter-based fields above are then the nodes' totals.
	Nodes []NodeResult `json:"nodes,omitempty"`
}

// HalfPeak is a scenario driven open-loop at half the iterations per second of its closed
// loop: its latencies, measured from when each request was due, are what clients see at a load
// the server sustains.
type HalfPeak struct {
	TargetPerSec     float64 `json:"target_iterations_per_sec"`
	IterationsPerSec float64 `json:"iterations_per_sec"`
	RequestsPerSec   float64 `json:"requests_per_sec"`
	Workers          int     `json:"workers"`
	Scheduled        int64   `json:"scheduled"`
	Iterations       int64   `json:"iterations"`
	Requests         int64   `json:"requests"`
	Errors           int64   `json:"errors"`
	FirstError       string  `json:"first_error,omitempty"`
	// Waited counts iterations that found every worker busy; Missed, those never sent.
	Waited int64 `json:"waited"`
	Missed int64 `json:"missed"`
	// Latency is per request, all steps together, as the closed loop's.
	Latency          Latency `json:"latency"`
	IterationLatency Latency `json:"iteration_latency"`
	// SendLag is from scheduled start to the first request: waiting for a worker plus the
	// load generator's own lateness, both part of Latency.
	SendLag Latency      `json:"send_lag"`
	Steps   []StepResult `json:"steps"`
}

// fill sets the measurements from an open-loop window.
func (h *HalfPeak) fill(w RateWindow) {
	var r ScenarioResult
	r.fill(w.Window)
	h.IterationsPerSec, h.RequestsPerSec = r.IterationsPerSec, r.RequestsPerSec
	h.Iterations, h.Requests, h.Errors, h.FirstError = r.Iterations, r.Requests, r.Errors, r.FirstError
	h.Latency, h.Steps = r.Latency, r.Steps
	h.Scheduled, h.Waited, h.Missed = w.Scheduled, w.Waited, w.Missed
	h.IterationLatency, h.SendLag = Summarize(w.IterationLatencies), Summarize(w.SendLags)
}

// StepResult is one step's share of a scenario.
type StepResult struct {
	Name     string  `json:"name"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Latency  Latency `json:"latency"`
}

// StepCount is the SQL work of one step run alone.
type StepCount struct {
	Name         string `json:"name"`
	Statements   int64  `json:"sql_statements"`
	Transactions int64  `json:"sql_transactions"`
}

// Floor is a scenario's floor and the scenario's throughput as a fraction of it.
type Floor struct {
	Cost             []string `json:"cost"`
	IterationsPerSec float64  `json:"iterations_per_sec"`
	Latency          Latency  `json:"latency"`
	Ratio            float64  `json:"ratio"`
	// RoundRatios are the ratios of each round, when the scenario was measured in rounds
	// beside its floors (Options.Rounds).
	RoundRatios []float64 `json:"round_ratios,omitempty"`
}

// fill sets the throughput and latency fields from a timed window.
func (r *ScenarioResult) fill(w Window) {
	r.Iterations, r.Errors, r.FirstError = w.Iterations, w.Errors, w.FirstError
	var all []time.Duration
	for _, s := range w.Steps {
		r.Requests += int64(len(s.Latencies))
		all = append(all, s.Latencies...)
		r.Steps = append(r.Steps, StepResult{Name: s.Name, Requests: int64(len(s.Latencies)), Errors: s.Errors, Latency: Summarize(s.Latencies)})
	}
	r.Latency = Summarize(all)
	if sec := w.Elapsed.Seconds(); sec > 0 {
		r.RequestsPerSec = float64(r.Requests) / sec
		r.IterationsPerSec = float64(w.Iterations) / sec
	}
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report as an aligned text table.
func (r Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "latchkey bench: %s, %d connections, %s after %s warm-up", r.URL, r.Connections, r.Duration, r.Warmup)
	if r.Algorithm != "" {
		fmt.Fprintf(w, ", %s", r.Algorithm)
	}
	fmt.Fprintln(w)
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "server: %s", s.Database)
		if s.Nodes > 1 {
			fmt.Fprintf(w, ", %d nodes (the first's start and RSS)", s.Nodes)
		}
		fmt.Fprintf(w, ", start to ready %.0f ms, idle RSS %.1f MB", s.StartToReady, float64(s.IdleRSSBytes)/(1<<20))
		if s.ServerCPUs != "" {
			fmt.Fprintf(w, ", server CPUs %s, load CPUs %s", s.ServerCPUs, s.LoadCPUs)
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if throughput := slices.ContainsFunc(r.Scenarios, func(s ScenarioResult) bool { return s.Enumeration == nil && s.DataSize == nil }); throughput {
		fmt.Fprintln(tw, "scenario\treq/s\tp50 ms\tp90 ms\tp99 ms\terrors\tCPU ms/req\tSQL/it\ttx/it\tper step (SQL/tx)\tfloor it/s\tratio\t+commit it/s\tratio\t½peak it/s\tp99 ms @½\t")
	}
	for _, s := range r.Scenarios {
		if s.Enumeration != nil || s.DataSize != nil {
			continue // a table of its own below
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Name, s.RequestsPerSec,
			ms(s.Latency.P50), ms(s.Latency.P90), ms(s.Latency.P99), s.Errors,
			opt(s.CPUPerRequest, 1000, "%.3f"), opt(s.StatementsPerIteration, 1, "%.1f"), opt(s.TransactionsPerIteration, 1, "%.2f"),
			probeText(s.Probe), floorText(s.Floor, false), floorText(s.Floor, true), floorText(s.CommitFloor, false), floorText(s.CommitFloor, true), halfText(s.HalfPeak, false), halfText(s.HalfPeak, true))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeNodes(w, r.Scenarios); err != nil {
		return err
	}
	if err := writeEnumeration(w, r.Scenarios); err != nil {
		return err
	}
	if err := writeDataSize(w, r.Scenarios); err != nil {
		return err
	}
	for _, s := range r.Scenarios {
		if s.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", s.Name, s.FirstError)
		}
		if f := s.Fairness; f != nil {
			fmt.Fprintf(w, "%s: tenant B's login p50/p99 %s/%s ms alone (%d logins, %d errors), %s/%s ms while tenant A floods "+
				"(%d logins, %d errors): p99 %.2fx (target at most 2x); A's %d connections got %d wrong-password answers and %d busy\n",
				s.Name, ms(f.Unloaded.P50), ms(f.Unloaded.P99), f.UnloadedRequests, f.UnloadedErrors,
				ms(f.Flooded.P50), ms(f.Flooded.P99), s.Requests, s.Errors, f.Ratio, f.FloodConnections, f.FloodRejected, f.FloodBusy)
		}
		if h := s.HalfPeak; h != nil && (h.Errors > 0 || h.Waited > 0 || h.Missed > 0) {
			fmt.Fprintf(w, "%s at half peak: target %.0f it/s, %d iterations waited for a free worker, %d never sent, %d errors",
				s.Name, h.TargetPerSec, h.Waited, h.Missed, h.Errors)
			if h.FirstError != "" {
				fmt.Fprintf(w, ", first: %s", h.FirstError)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func opt(v *float64, scale float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v*scale)
}

func probeText(p []StepCount) string {
	if len(p) == 0 {
		return "-"
	}
	var parts []string
	for _, s := range p {
		parts = append(parts, fmt.Sprintf("%s %d/%d", s.Name, s.Statements, s.Transactions))
	}
	return strings.Join(parts, ", ")
}

func floorText(f *Floor, ratio bool) string {
	switch {
	case f == nil:
		return "-"
	case ratio:
		return fmt.Sprintf("%.2f", f.Ratio)
	}
	return fmt.Sprintf("%.0f", f.IterationsPerSec)
}

func halfText(h *HalfPeak, p99 bool) string {
	switch {
	case h == nil:
		return "-"
	case p99:
		return ms(h.Latency.P99)
	}
	return fmt.Sprintf("%.0f", h.IterationsPerSec)
}

// writeEnumeration writes the routes of the timing scenarios: medians of each side, their
// difference and its z-score.
func writeEnumeration(w io.Writer, scenarios []ScenarioResult) error {
	for _, s := range scenarios {
		if s.Enumeration == nil {
			continue
		}
		fmt.Fprintf(w, "%s: known against unknown users, one request at a time\n", s.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "route\tpairs\tknown p50 ms\tunknown p50 ms\tdiff ms\tz\terrors\t")
		for _, e := range s.Enumeration {
			fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%+.3f\t%+.2f\t%d\t\n", e.Route, e.Pairs, msf(e.KnownMedian),
				msf(e.UnknownMedian), msf(e.MedianDiff), e.Z, e.Errors)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
