package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Step is one request of an iteration.
type Step struct {
	Name string
	Do   func(ctx context.Context) error
}

// NewWorker builds the steps one connection repeats. Each worker owns its state (a refresh
// token, a code just sent), so steps need no locking.
type NewWorker func(ctx context.Context, worker int) ([]Step, error)

// Load is how hard and how long to drive a scenario.
type Load struct {
	Connections int
	Warmup      time.Duration
	Duration    time.Duration
}

// Window is what happened in the timed window of one run.
type Window struct {
	Elapsed    time.Duration
	Iterations int64
	Errors     int64
	FirstError string
	// Steps holds each step's latencies, in the order of the iteration.
	Steps []StepSamples
	// Workers holds each worker's share, indexed as the workers were given.
	Workers []WorkerCount
}

// WorkerCount is what one worker (one connection) did in a timed window: with several nodes,
// each worker's requests go to one node, so these add up to each node's share.
type WorkerCount struct {
	Iterations int64
	Requests   int64
}

// StepSamples are one step's latencies in the timed window.
type StepSamples struct {
	Name      string
	Latencies []time.Duration
	Errors    int64
}

// runState is the workers of one run and what the timed phase recorded.
type runState struct {
	steps  [][]Step
	errors atomic.Int64
	iters  atomic.Int64
	first  atomic.Pointer[string]
	lat    [][][]time.Duration // worker, step, samples
	stepEr [][]int64           // worker, step
	witers []int64             // worker; written only by the goroutine running the worker
}

// Drive builds l.Connections workers and drives them: a warm-up whose results are discarded,
// then a barrier (all workers stop) where between is called, then the timed window, then
// another barrier where after is called. Stopping at the barriers makes counters read there
// cover exactly the timed requests.
func Drive(ctx context.Context, l Load, nw NewWorker, between, after func()) (Window, error) {
	if l.Connections < 1 {
		return Window{}, fmt.Errorf("connections must be at least 1")
	}
	workers, err := buildWorkers(ctx, nw, 0, l.Connections)
	if err != nil {
		return Window{}, err
	}
	return driveWorkers(ctx, l, workers, between, after)
}

// buildWorkers builds the workers numbered from first to first+n-1. Numbers must not repeat
// within a scenario: some workers create users named after theirs.
func buildWorkers(ctx context.Context, nw NewWorker, first, n int) ([][]Step, error) {
	var workers [][]Step
	for i := first; i < first+n; i++ {
		steps, err := nw(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("prepare worker %d: %w", i, err)
		}
		workers = append(workers, steps)
	}
	return workers, nil
}

// driveWorkers is Drive with workers built already, one connection each.
func driveWorkers(ctx context.Context, l Load, workers [][]Step, between, after func()) (Window, error) {
	if len(workers) == 0 {
		return Window{}, fmt.Errorf("connections must be at least 1")
	}
	st := &runState{steps: workers}
	if l.Warmup > 0 {
		st.phase(ctx, l.Warmup, false)
	}
	if between != nil {
		between()
	}
	start := time.Now()
	st.phase(ctx, l.Duration, true)
	elapsed := time.Since(start)
	if after != nil {
		after()
	}
	if err := ctx.Err(); err != nil {
		return Window{}, err
	}
	return st.window(elapsed), nil
}

// window collects what the timed phase recorded.
func (st *runState) window(elapsed time.Duration) Window {
	w := Window{Elapsed: elapsed, Iterations: st.iters.Load(), Errors: st.errors.Load()}
	if p := st.first.Load(); p != nil {
		w.FirstError = *p
	}
	for s, step := range st.steps[0] {
		ss := StepSamples{Name: step.Name}
		for wi := range st.lat {
			ss.Latencies = append(ss.Latencies, st.lat[wi][s]...)
			ss.Errors += st.stepEr[wi][s]
		}
		w.Steps = append(w.Steps, ss)
	}
	for wi := range st.lat {
		wc := WorkerCount{Iterations: st.witers[wi]}
		for _, samples := range st.lat[wi] {
			wc.Requests += int64(len(samples))
		}
		w.Workers = append(w.Workers, wc)
	}
	return w
}

// resetSamples prepares the per-worker sample slices of a timed phase.
func (st *runState) resetSamples() {
	n := len(st.steps)
	st.lat = make([][][]time.Duration, n)
	st.stepEr = make([][]int64, n)
	st.witers = make([]int64, n)
	for i := range n {
		st.lat[i] = make([][]time.Duration, len(st.steps[i]))
		st.stepEr[i] = make([]int64, len(st.steps[i]))
	}
}

// fail counts a failed step of worker wi in the timed window.
func (st *runState) fail(wi, si int, s Step, err error) {
	st.stepEr[wi][si]++
	st.errors.Add(1)
	msg := s.Name + ": " + err.Error()
	st.first.CompareAndSwap(nil, &msg)
}

// phase runs all workers for d; the timed phase records latencies and counts.
func (st *runState) phase(ctx context.Context, d time.Duration, record bool) {
	n := len(st.steps)
	if record {
		st.resetSamples()
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for wi := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.work(ctx, wi, deadline, record)
		}()
	}
	wg.Wait()
}

func (st *runState) work(ctx context.Context, wi int, deadline time.Time, record bool) {
	steps := st.steps[wi]
	for ctx.Err() == nil && time.Now().Before(deadline) {
		failed := false
		for si, s := range steps {
			t0 := time.Now()
			err := s.Do(ctx)
			lat := time.Since(t0)
			if !record {
				if err != nil {
					failed = true
					break
				}
				continue
			}
			st.lat[wi][si] = append(st.lat[wi][si], lat)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				st.fail(wi, si, s, err)
				failed = true
				break
			}
		}
		if record && !failed {
			st.iters.Add(1)
			st.witers[wi]++
		}
		if failed && !record {
			// A failing warm-up must not spin: errors are counted in the timed window.
			time.Sleep(time.Millisecond)
		}
	}
}
