package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"
)

// Options configure a benchmark run.
type Options struct {
	URL      string
	AdminURL string // "" when the server publishes no counters
	// Nodes, when there are several, are servers on one database: each connection of a
	// scenario is dealt to one of them, round robin, and each node's counters are read and
	// reported (ScenarioResult.Nodes). URL and AdminURL are then the first node's, which
	// serves the setup's requests. Scenarios that are more than one closed loop are skipped.
	Nodes             []Node
	ClientID          string
	ClientSecret      string
	AdminClientID     string
	AdminClientSecret string
	AppID             string // found through the admin API when empty
	RedirectURI       string // for magic links
	Load              Load
	Scenarios         []string
	// Users is the size of the identifier pools of the send-and-redeem scenarios.
	Users int
	// FloorURL is the floor server; "" skips the floors.
	FloorURL string
	// FloorCommits says the floor server has a database, so that the flows that write get a
	// second floor with the one commit a login cannot avoid (WithCommit).
	FloorCommits bool
	// Rounds above one measures each scenario beside its floors: its timed window is cut
	// into that many rounds, each followed by a round of each floor (see rounds.go).
	Rounds    int
	Algorithm string
	// Probes is how many times each step runs alone to count its SQL work exactly.
	Probes int
	// HalfPeak follows each scenario's timed window with an open-loop one at half the
	// iterations per second it reached (see DriveRate).
	HalfPeak bool
	// FloodClientID and FloodClientSecret are a client of a second tenant, whose password
	// logins flood the server in the password-fairness scenario with FloodConnections
	// connections; without them that scenario is skipped.
	FloodClientID     string
	FloodClientSecret string
	FloodConnections  int
	// Pairs is how many known-and-unknown pairs of requests the enumeration-timing scenario
	// times on each route.
	Pairs int
	Log   io.Writer
	// Grow adds rows straight to the server's database, for the data-size scenario, which
	// grows it to DataSize from DataSize/DataSmallFraction and times DataRequests of each
	// request at both sizes.
	Grow              GrowFunc
	DataSize          DataSize
	DataSmallFraction int
	DataRequests      int
}

// Run benchmarks every selected scenario against the server.
func Run(ctx context.Context, o Options) (Report, error) {
	scenarios, err := Select(o.Scenarios)
	if err != nil {
		return Report{}, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	// Twice as many identifiers as iterations in flight keep concurrent iterations apart.
	inFlight := o.Load.Connections
	if o.HalfPeak {
		inFlight = HalfPeakWorkers(o.Load.Connections)
	}
	o.Users = max(o.Users, inFlight*2, 1)
	if o.Probes < 1 {
		o.Probes = 3
	}
	if o.FloodConnections < 1 {
		o.FloodConnections = 80
	}
	rep := Report{
		URL: o.URL, Algorithm: o.Algorithm, Connections: o.Load.Connections,
		Warmup: o.Load.Warmup.String(), Duration: o.Load.Duration.String(), Started: time.Now().UTC(),
	}
	nodes := o.Nodes
	if len(nodes) == 0 {
		nodes = []Node{{URL: o.URL, AdminURL: o.AdminURL}}
	}
	e := &Env{Opts: o, run: randomRun(), nodes: nodes}
	for _, n := range nodes {
		c := NewClient(n.URL, inFlight+4)
		defer c.Close()
		e.clients = append(e.clients, c)
	}
	c := e.clients[0]
	e.Client = c
	if e.Token, err = c.ClientToken(ctx, o.ClientID, o.ClientSecret); err != nil {
		return rep, err
	}
	if e.admin, err = c.ClientToken(ctx, o.AdminClientID, o.AdminClientSecret); err != nil {
		return rep, fmt.Errorf("admin: %w", err)
	}
	if e.Opts.AppID == "" {
		if e.Opts.AppID, err = e.findAppID(ctx); err != nil {
			return rep, err
		}
	}
	if err := e.raiseSendLimits(ctx); err != nil {
		return rep, err
	}
	if e.multiNode() && slices.ContainsFunc(scenarios, func(s Scenario) bool { return s.Name == "magic-link" }) {
		// A node keeps clients for a few seconds and only the node that changed one forgets
		// it at once, so the redirect URI is added before any node has read the client.
		if err := e.ensureRedirectURI(ctx); err != nil {
			return rep, err
		}
	}
	floors := map[string]*Floor{}
	for _, s := range scenarios {
		if s.Flood && o.FloodClientID == "" {
			fmt.Fprintf(o.Log, "scenario %s: skipped, it needs a client of a second tenant\n", s.Name)
			continue
		}
		if e.multiNode() && s.Setup == nil {
			fmt.Fprintf(o.Log, "scenario %s: skipped, it runs against one node only\n", s.Name)
			continue
		}
		fmt.Fprintf(o.Log, "scenario %s: preparing\n", s.Name)
		res, err := runScenario(ctx, e, s)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", s.Name, err)
		}
		if o.FloorURL != "" && s.Timing == nil && res.Floor == nil {
			key := floorKey(s.Floor)
			if floors[key] == nil {
				fmt.Fprintf(o.Log, "floor %s: running\n", key)
				f, err := runFloor(ctx, o, s.Floor)
				if err != nil {
					return rep, fmt.Errorf("floor of %s: %w", s.Name, err)
				}
				floors[key] = f
			}
			f := *floors[key]
			if f.IterationsPerSec > 0 {
				f.Ratio = res.IterationsPerSec / f.IterationsPerSec
			}
			res.Floor = &f
			if wc := WithCommit(s.Floor); wc != nil && o.FloorCommits {
				key := floorKey(wc)
				if floors[key] == nil {
					fmt.Fprintf(o.Log, "floor %s: running\n", key)
					f, err := runFloor(ctx, o, wc)
					if err != nil {
						return rep, fmt.Errorf("commit floor of %s: %w", s.Name, err)
					}
					floors[key] = f
				}
				f := *floors[key]
				if f.IterationsPerSec > 0 {
					f.Ratio = res.IterationsPerSec / f.IterationsPerSec
				}
				res.CommitFloor = &f
			}
		}
		rep.Scenarios = append(rep.Scenarios, res)
	}
	return rep, nil
}

func randomRun() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// runScenario prepares a scenario, probes its steps' SQL work, then drives it.
func runScenario(ctx context.Context, e *Env, s Scenario) (ScenarioResult, error) {
	if s.Run != nil {
		return s.Run(ctx, e)
	}
	if s.Timing != nil {
		return runTiming(ctx, e, s)
	}
	nw, err := s.Setup(ctx, e)
	if err != nil {
		return ScenarioResult{}, err
	}
	res := ScenarioResult{Name: s.Name}
	counted := e.counted()
	var probes [][]StepCount
	if counted {
		if probes, err = probe(ctx, e, nw); err != nil {
			return res, err
		}
		res.Probe = probes[e.nodeOf(e.Opts.Load.Connections)]
	}
	workers, err := buildWorkers(ctx, nw, 0, e.Opts.Load.Connections)
	if err != nil {
		return res, err
	}
	var w Window
	var d Counters
	var before, after []Counters
	if e.interleaved(s) {
		fmt.Fprintf(e.Opts.Log, "scenario %s: running in %d rounds beside its floors\n", s.Name, e.Opts.Rounds)
		if w, d, res.Floor, res.CommitFloor, err = e.driveInterleaved(ctx, s, workers, counted); err != nil {
			return res, err
		}
	} else {
		fmt.Fprintf(e.Opts.Log, "scenario %s: running\n", s.Name)
		if w, before, after, err = e.driveCounted(ctx, e.Opts.Load, workers, counted); err != nil {
			return res, err
		}
		if counted {
			d = total(after).Sub(total(before))
		}
	}
	res.fill(w)
	if counted && w.Iterations > 0 {
		res.CPUPerRequest = ratio(d.CPUSeconds, res.Requests)
		res.StatementsPerIteration = ratio(float64(d.Statements), w.Iterations)
		res.TransactionsPerIteration = ratio(float64(d.Transactions), w.Iterations)
	}
	if e.multiNode() {
		res.Nodes = e.nodeResults(w, before, after)
		for i := range probes {
			res.Nodes[i].Probe = probes[i]
		}
	}
	if e.Opts.HalfPeak && res.IterationsPerSec == 0 {
		fmt.Fprintf(e.Opts.Log, "scenario %s: no iteration completed, no rate to halve\n", s.Name)
	}
	if e.Opts.HalfPeak && res.IterationsPerSec > 0 {
		fmt.Fprintf(e.Opts.Log, "scenario %s: open loop at %.0f it/s\n", s.Name, res.IterationsPerSec/2)
		if res.HalfPeak, err = runHalfPeak(ctx, e, nw, workers, res.IterationsPerSec/2); err != nil {
			return res, fmt.Errorf("half peak: %w", err)
		}
	}
	return res, nil
}

// probe runs each step of an extra worker alone, reading the counters around it (every
// node's, added up), and keeps the smallest count of o.Probes runs: background work (the
// outbox worker) only adds. With several nodes it probes a worker of each node (the
// numbers after the closed loop's are dealt round robin too), in the order of the nodes.
func probe(ctx context.Context, e *Env, nw NewWorker) ([][]StepCount, error) {
	out := make([][]StepCount, e.probeWorkers())
	for k := range out {
		w := e.Opts.Load.Connections + k
		steps, err := nw(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("probe: %w", err)
		}
		counts, err := probeSteps(ctx, e, steps)
		if err != nil {
			return nil, err
		}
		out[e.nodeOf(w)] = counts
	}
	return out, nil
}

func probeSteps(ctx context.Context, e *Env, steps []Step) ([]StepCount, error) {
	out := make([]StepCount, len(steps))
	for i := range out {
		out[i] = StepCount{Name: steps[i].Name, Statements: -1, Transactions: -1}
	}
	for range e.Opts.Probes {
		for i, s := range steps {
			c0, err := e.readCounters(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.Do(ctx); err != nil {
				return nil, fmt.Errorf("probe %s: %w", s.Name, err)
			}
			c1, err := e.readCounters(ctx)
			if err != nil {
				return nil, err
			}
			d := total(c1).Sub(total(c0))
			if out[i].Statements < 0 || d.Statements < out[i].Statements {
				out[i].Statements = d.Statements
			}
			if out[i].Transactions < 0 || d.Transactions < out[i].Transactions {
				out[i].Transactions = d.Transactions
			}
		}
	}
	return out, nil
}

// driveCounted drives workers under load and, when counted, reads every node's counters at
// the barriers before and after the timed window.
func (e *Env) driveCounted(ctx context.Context, load Load, workers [][]Step, counted bool) (w Window, before, after []Counters, err error) {
	var cerr error
	read := func(dst *[]Counters) func() {
		return func() {
			if counted && cerr == nil {
				*dst, cerr = e.readCounters(ctx)
			}
		}
	}
	if w, err = driveWorkers(ctx, load, workers, read(&before), read(&after)); err != nil {
		return Window{}, nil, nil, err
	}
	if cerr != nil {
		return Window{}, nil, nil, cerr
	}
	return w, before, after, nil
}

func runFloor(ctx context.Context, o Options, costs []Cost) (*Floor, error) {
	c := NewClient(o.FloorURL, o.Load.Connections+4)
	defer c.Close()
	w, err := Drive(ctx, o.Load, floorWorker(c, costs), nil, nil)
	if err != nil {
		return nil, err
	}
	if w.Errors > 0 {
		return nil, fmt.Errorf("%d errors, first: %s", w.Errors, w.FirstError)
	}
	return newFloor(costs, w), nil
}

// newFloor is the floor of costs that drove the window w; its ratio is left to the caller.
func newFloor(costs []Cost, w Window) *Floor {
	var r ScenarioResult
	r.fill(w)
	var names []string
	for _, c := range costs {
		names = append(names, c.String())
	}
	return &Floor{Cost: names, IterationsPerSec: r.IterationsPerSec, Latency: r.Latency}
}
