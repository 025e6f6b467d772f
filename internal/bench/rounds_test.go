package bench

import (
	"testing"
	"time"
)

// TestWindowAdd checks that rounds of the same workers add up: time, iterations, errors,
// every latency of every step and each worker's share; the first error seen is kept.
func TestWindowAdd(t *testing.T) {
	round := func(ms int, iters, errs int64, first string) Window {
		return Window{Elapsed: time.Duration(ms) * time.Millisecond, Iterations: iters, Errors: errs, FirstError: first,
			Steps: []StepSamples{
				{Name: "send", Latencies: []time.Duration{time.Duration(ms)}, Errors: errs},
				{Name: "authenticate", Latencies: []time.Duration{time.Duration(ms), time.Duration(ms)}},
			},
			Workers: []WorkerCount{{Iterations: iters, Requests: 3}, {Iterations: 1, Requests: 1}},
		}
	}
	var w Window
	w.add(round(100, 10, 0, ""))
	w.add(round(200, 20, 1, "send: status 500"))
	w.add(round(300, 30, 2, "send: status 502"))
	if w.Elapsed != 600*time.Millisecond || w.Iterations != 60 || w.Errors != 3 || w.FirstError != "send: status 500" {
		t.Errorf("totals: %v, %d iterations, %d errors, first %q", w.Elapsed, w.Iterations, w.Errors, w.FirstError)
	}
	if n := len(w.Steps[0].Latencies); n != 3 || w.Steps[0].Errors != 3 {
		t.Errorf("send: %d latencies, %d errors; want 3 and 3", n, w.Steps[0].Errors)
	}
	if n := len(w.Steps[1].Latencies); n != 6 {
		t.Errorf("authenticate: %d latencies, want 6", n)
	}
	if w.Workers[0] != (WorkerCount{Iterations: 60, Requests: 9}) || w.Workers[1] != (WorkerCount{Iterations: 3, Requests: 3}) {
		t.Errorf("workers: %+v", w.Workers)
	}
	if got := w.perSecond(); got != 100 {
		t.Errorf("%v iterations per second, want 100", got)
	}
}
