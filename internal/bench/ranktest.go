package bench

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// RankZ compares two sets of latencies with the Mann-Whitney U test and returns its
// normal-approximation z-score: positive when a tends to be slower than b, near zero when
// neither tends to be. It is a rank test, so a few very slow requests (a garbage collection,
// a neighbour's burst on a shared machine) move it no more than any other request, unlike a
// comparison of means. Ties share their mean rank, and the variance is corrected for them.
// It returns 0 when either set is empty or every latency is equal.
func RankZ(a, b []time.Duration) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	if n1 == 0 || n2 == 0 {
		return 0
	}
	type sample struct {
		d     time.Duration
		fromA bool
	}
	all := make([]sample, 0, len(a)+len(b))
	for _, d := range a {
		all = append(all, sample{d, true})
	}
	for _, d := range b {
		all = append(all, sample{d, false})
	}
	slices.SortFunc(all, func(x, y sample) int { return cmp.Compare(x.d, y.d) })
	n := n1 + n2
	var rankSumA, tieTerm float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].d == all[i].d {
			j++
		}
		// Ranks i+1..j share their mean.
		mean := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			if all[k].fromA {
				rankSumA += mean
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	u := rankSumA - n1*(n1+1)/2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		return 0
	}
	return (u - n1*n2/2) / math.Sqrt(variance)
}

// Median returns the median of samples (the mean of the middle two for an even count); 0 for
// none.
func Median(samples []time.Duration) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
