package bench

import (
	"math"
	"testing"
	"time"
)

func TestRankZ(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	// Every a above every b: U = n1*n2 = 9, mean 4.5, variance 3*3*7/12 = 5.25.
	if z, want := RankZ(ms(4, 5, 6), ms(1, 2, 3)), 4.5/math.Sqrt(5.25); math.Abs(z-want) > 1e-9 {
		t.Errorf("separated: z = %v, want %v", z, want)
	}
	if z := RankZ(ms(1, 2, 3), ms(4, 5, 6)); z >= 0 {
		t.Errorf("a faster must give a negative z, got %v", z)
	}
	// Interleaved samples: no tendency.
	if z := RankZ(ms(1, 4, 5, 8), ms(2, 3, 6, 7)); z != 0 {
		t.Errorf("interleaved: z = %v, want 0", z)
	}
	// Ties share ranks: a = {1,2}, b = {2,3}: ranks 1, 2.5 | 2.5, 4; U = 3.5 - 3 = 0.5, mean
	// 2, variance 4/12*(5 - 6/12) = 1.5.
	if z, want := RankZ(ms(1, 2), ms(2, 3)), -1.5/math.Sqrt(1.5); math.Abs(z-want) > 1e-9 {
		t.Errorf("ties: z = %v, want %v", z, want)
	}
	if RankZ(ms(5, 5), ms(5, 5)) != 0 || RankZ(nil, ms(1)) != 0 {
		t.Error("degenerate samples must give 0")
	}
	if Median(ms(3, 1, 2)) != 2*time.Millisecond || Median(ms(4, 1, 3, 2)) != 2500*time.Microsecond || Median(nil) != 0 {
		t.Error("median")
	}
}
