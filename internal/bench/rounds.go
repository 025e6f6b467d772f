package bench

import (
	"context"
	"fmt"
	"time"
)

// A scenario and its floors measured one after the other are measured at different moments,
// and on a shared or virtual machine the speed of the same build moves by tens of percent
// from one window of a few seconds to the next: a ratio of two such windows carries that
// drift. With Options.Rounds above one, a scenario's timed window is cut into that many
// rounds, and each round of the scenario is followed at once by a round of each of its floors,
// so that every floor is measured beside the scenario throughout: a slow stretch of the
// machine slows both. The ratio is that of the totals; each round's own ratio is reported too,
// to show the spread.

// rewarm is the warm-up of every round after the first: the connections and caches are warm
// already, but the server sat idle or served the other side during the round before.
const rewarm = 200 * time.Millisecond

// interleaved reports whether s is measured in rounds beside its floors.
func (e *Env) interleaved(s Scenario) bool {
	return e.Opts.Rounds > 1 && e.Opts.FloorURL != "" && s.Timing == nil && s.Run == nil && len(s.Floor) > 0 && !e.multiNode()
}

// floorSide is one floor of an interleaved scenario: its workers and what its rounds did.
type floorSide struct {
	costs   []Cost
	client  *Client
	workers [][]Step
	win     Window
	ratios  []float64
}

// driveInterleaved drives a scenario's workers in rounds, each followed by a round of each of
// its floors (the plain one, and the one with a commit when the floor server has a database).
// It returns the scenario's window and counters over all its rounds, and the floors.
func (e *Env) driveInterleaved(ctx context.Context, s Scenario, workers [][]Step, counted bool) (Window, Counters, *Floor, *Floor, error) {
	o := e.Opts
	costs := [][]Cost{s.Floor}
	if wc := WithCommit(s.Floor); wc != nil && o.FloorCommits {
		costs = append(costs, wc)
	}
	var sides []*floorSide
	defer func() {
		for _, f := range sides {
			f.client.Close()
		}
	}()
	for _, c := range costs {
		f := &floorSide{costs: c, client: NewClient(o.FloorURL, o.Load.Connections+4)}
		sides = append(sides, f)
		var err error
		if f.workers, err = buildWorkers(ctx, floorWorker(f.client, c), 0, o.Load.Connections); err != nil {
			return Window{}, Counters{}, nil, nil, fmt.Errorf("floor: %w", err)
		}
	}
	var win Window
	var delta Counters
	for r := range o.Rounds {
		load := Load{Connections: o.Load.Connections, Warmup: min(o.Load.Warmup, rewarm), Duration: o.Load.Duration / time.Duration(o.Rounds)}
		if r == 0 {
			load.Warmup = o.Load.Warmup
		}
		w, before, after, err := e.driveCounted(ctx, load, workers, counted)
		if err != nil {
			return Window{}, Counters{}, nil, nil, err
		}
		if counted {
			delta = delta.Add(total(after).Sub(total(before)))
		}
		win.add(w)
		for _, f := range sides {
			fw, err := driveWorkers(ctx, load, f.workers, nil, nil)
			if err != nil {
				return Window{}, Counters{}, nil, nil, err
			}
			if fw.Errors > 0 {
				return Window{}, Counters{}, nil, nil, fmt.Errorf("floor: %d errors, first: %s", fw.Errors, fw.FirstError)
			}
			f.win.add(fw)
			f.ratios = append(f.ratios, over(w.perSecond(), fw.perSecond()))
		}
	}
	var floors [2]*Floor
	for i, f := range sides {
		floors[i] = f.floor(win)
	}
	return win, delta, floors[0], floors[1], nil
}

// floor is the side's Floor over all its rounds, with its ratio to the scenario's window.
func (f *floorSide) floor(scenario Window) *Floor {
	fl := newFloor(f.costs, f.win)
	fl.Ratio, fl.RoundRatios = over(scenario.perSecond(), f.win.perSecond()), f.ratios
	return fl
}

// over is a/b, or 0 when b is.
func over(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// perSecond is the window's iterations per second.
func (w Window) perSecond() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Iterations) / w.Elapsed.Seconds()
}

// add adds another window of the same workers to w.
func (w *Window) add(o Window) {
	if w.Steps == nil {
		*w = o
		return
	}
	w.Elapsed += o.Elapsed
	w.Iterations += o.Iterations
	w.Errors += o.Errors
	if w.FirstError == "" {
		w.FirstError = o.FirstError
	}
	for i := range w.Steps {
		w.Steps[i].Latencies = append(w.Steps[i].Latencies, o.Steps[i].Latencies...)
		w.Steps[i].Errors += o.Steps[i].Errors
	}
	for i := range w.Workers {
		w.Workers[i].Iterations += o.Workers[i].Iterations
		w.Workers[i].Requests += o.Workers[i].Requests
	}
}
