package bench

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// RateLoad is an open-loop load: iterations start at a fixed rate whatever the server's
// latency, as independent clients would send them.
type RateLoad struct {
	// Rate is the arrival rate in iterations per second.
	Rate     float64
	Duration time.Duration
}

// RateWindow is what happened in an open-loop window. Its step latencies are measured from
// when each step was due: the first step from the iteration's scheduled start, so that time
// spent waiting behind earlier iterations counts (a closed loop would omit it), and each later
// step from the end of the one before.
type RateWindow struct {
	Window
	// Scheduled is how many iterations were due in the window.
	Scheduled int64
	// Waited counts iterations that found every worker busy when due; their wait is in their
	// latency.
	Waited int64
	// Missed counts iterations not sent by the time the window closed, for want of a worker
	// (or of the dispatcher's time): the latencies understate the load's effect.
	Missed int64
	// IterationLatencies are whole iterations', from scheduled start to the end of the last
	// step, of the iterations that succeeded.
	IterationLatencies []time.Duration
	// SendLags are every sent iteration's time from its scheduled start to its first request:
	// waiting for a worker, and the load generator's own lateness, which a slow or busy
	// generator adds to the latencies.
	SendLags []time.Duration
}

// lateSlack is how long after the window's end the dispatcher may still send what was due in
// it: a timer wakes a little late, and the last arrival, due just before the end, would
// otherwise count as missed now and then on a server that keeps up.
const lateSlack = 10 * time.Millisecond

// rateState is an open-loop run's bookkeeping besides runState's.
type rateState struct {
	runState
	iterLat [][]time.Duration // worker, samples
	lag     [][]time.Duration // worker, samples
}

// DriveRate starts an iteration every 1/Rate seconds for Duration, each on a worker taken from
// the free ones and returned when the iteration ends, and waits for the iterations it started.
// A worker serves one iteration at a time, so its steps keep owning their state. Arrivals that
// find no free worker wait for one, and count in Waited; those not sent when the window closes
// (lateSlack after its end) count in Missed. Elapsed runs from the first arrival to the later
// of the window's end and the last iteration's end.
func DriveRate(ctx context.Context, l RateLoad, workers [][]Step) (RateWindow, error) {
	// The upper bound keeps arrivals at least a nanosecond apart (and rejects NaN).
	if !(l.Rate > 0 && l.Rate <= 1e9) || l.Duration <= 0 {
		return RateWindow{}, fmt.Errorf("rate must be in (0, 1e9] and duration positive")
	}
	if len(workers) == 0 {
		return RateWindow{}, fmt.Errorf("no workers")
	}
	st := &rateState{runState: runState{steps: workers}, iterLat: make([][]time.Duration, len(workers)),
		lag: make([][]time.Duration, len(workers))}
	st.resetSamples()
	// Offsets come from the arrival's number, not from adding intervals, so that rounding
	// does not drift the rate.
	due := func(i int64) time.Duration { return time.Duration(float64(i) * float64(time.Second) / l.Rate) }
	var total int64
	for due(total) < l.Duration {
		total++
	}
	free := make(chan int, len(workers))
	for i := range workers {
		free <- i
	}
	var wg sync.WaitGroup
	var waited, sent int64
	start := time.Now()
	closeAt := start.Add(l.Duration + lateSlack)
	closed := time.NewTimer(time.Until(closeAt))
	defer closed.Stop()
	tick := time.NewTimer(0)
	defer tick.Stop()
dispatch:
	for i := range total {
		at := start.Add(due(i))
		if d := time.Until(at); d > 0 {
			tick.Reset(d)
			select {
			case <-tick.C:
			case <-ctx.Done():
				break dispatch
			}
		}
		if !time.Now().Before(closeAt) {
			break
		}
		var wi int
		select {
		case wi = <-free:
		default:
			waited++
			select {
			case wi = <-free:
			case <-closed.C:
				break dispatch
			case <-ctx.Done():
				break dispatch
			}
		}
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.iterate(ctx, wi, at)
			free <- wi
		}()
	}
	wg.Wait()
	elapsed := max(time.Since(start), l.Duration)
	if err := ctx.Err(); err != nil {
		return RateWindow{}, err
	}
	w := RateWindow{Window: st.window(elapsed), Scheduled: total, Waited: waited, Missed: total - sent}
	for wi := range workers {
		w.IterationLatencies = append(w.IterationLatencies, st.iterLat[wi]...)
		w.SendLags = append(w.SendLags, st.lag[wi]...)
	}
	return w, nil
}

// iterate runs worker wi's steps once for the iteration due at at. Only the goroutine that
// took wi from the free list touches wi's samples, and the list's channel orders those
// goroutines, so the samples need no lock.
func (st *rateState) iterate(ctx context.Context, wi int, at time.Time) {
	from := at
	st.lag[wi] = append(st.lag[wi], time.Since(at))
	for si, s := range st.steps[wi] {
		err := s.Do(ctx)
		now := time.Now()
		st.lat[wi][si] = append(st.lat[wi][si], now.Sub(from))
		from = now
		if err != nil {
			if ctx.Err() == nil {
				st.fail(wi, si, s, err)
			}
			return
		}
	}
	st.iterLat[wi] = append(st.iterLat[wi], from.Sub(at))
	st.iters.Add(1)
	st.witers[wi]++
}

// halfPeakSettle separates the open-loop window from the closed loop before it, so that it
// does not start on the closed loop's tail (connections closing, the outbox catching up).
const halfPeakSettle = 200 * time.Millisecond

// HalfPeakWorkers is the open-loop window's worker pool for conns connections. At half the
// closed loop's rate about half as many iterations are in flight while latency holds, so four
// times as many workers absorb bursts; the bound keeps preparation short, since some
// scenarios log a user in per worker.
func HalfPeakWorkers(conns int) int { return max(conns, min(4*conns, 256)) }

// runHalfPeak drives a scenario open-loop at rate, on the closed loop's workers (which keep
// their state) plus new ones.
func runHalfPeak(ctx context.Context, e *Env, nw NewWorker, workers [][]Step, rate float64) (*HalfPeak, error) {
	n := HalfPeakWorkers(len(workers))
	// The probe's workers took the numbers after the closed loop's.
	extra, err := buildWorkers(ctx, nw, len(workers)+e.probeWorkers(), n-len(workers))
	if err != nil {
		return nil, err
	}
	pool := append(workers[:len(workers):len(workers)], extra...)
	select {
	case <-time.After(halfPeakSettle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	w, err := DriveRate(ctx, RateLoad{Rate: rate, Duration: e.Opts.Load.Duration}, pool)
	if err != nil {
		return nil, err
	}
	hp := &HalfPeak{TargetPerSec: rate, Workers: n}
	hp.fill(w)
	return hp, nil
}
