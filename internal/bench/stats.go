package bench

import (
	"slices"
	"time"
)

// Latency summarises a set of latencies.
type Latency struct {
	P50 time.Duration `json:"p50_ns"`
	P90 time.Duration `json:"p90_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
}

// Summarize returns the percentiles of samples (nearest rank); the zero Latency for none.
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return Latency{P50: Percentile(s, 50), P90: Percentile(s, 90), P99: Percentile(s, 99), Max: s[len(s)-1]}
}

// Percentile returns the p-th percentile (1..100) of sorted by the nearest-rank method: the
// smallest sample that at least p percent of the samples do not exceed. Integer arithmetic
// keeps the rank exact.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}
