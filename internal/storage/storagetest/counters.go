package storagetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

var counterTests = []namedTest{
	{"CountsWithinWindow", testCountWithinWindow},
	{"RestartsAfterWindow", testCountRestartsAfterWindow},
	{"KeysIndependent", testCountKeysIndependent},
	{"Reset", testCountReset},
	{"RejectsEndedWindow", testCountRejectsEndedWindow},
}

// hit counts one hit and checks the count and window end CountHit returns.
func hit(t *testing.T, s storage.Counters, key string, now, windowEnd time.Time, wantCount int64, wantReset time.Time) {
	t.Helper()
	n, resetAt, err := s.CountHit(t.Context(), key, now, windowEnd)
	if err != nil {
		t.Fatalf("CountHit(%.40q) at %v: %v", key, now, err)
	}
	if n != wantCount {
		t.Errorf("CountHit(%.40q) at %v counted %d, want %d", key, now, n, wantCount)
	}
	wantTime(t, fmt.Sprintf("CountHit(%.40q) at %v: resetAt", key, now), resetAt, wantReset)
}

// wantTime checks that got is want, in UTC.
func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v in UTC", what, got, want)
	}
}

func testCountWithinWindow(t *testing.T, s storage.Store) {
	const key = "send:identifier:ada@example.com"
	end := at(time.Minute)
	hit(t, s, key, base, end, 1, end)
	// Later hits pass their own window end, as a caller computing it from now would; the
	// counter keeps the window it started.
	hit(t, s, key, at(time.Second), at(time.Second+time.Minute), 2, end)
	hit(t, s, key, at(59*time.Second), at(59*time.Second+time.Minute), 3, end)
	// The last millisecond of the window still counts in it.
	hit(t, s, key, end.Add(-time.Millisecond), end.Add(time.Minute), 4, end)
}

func testCountRestartsAfterWindow(t *testing.T, s storage.Store) {
	const key = "send:ip:203.0.113.7"
	end := at(time.Minute)
	for i := range 3 {
		hit(t, s, key, at(time.Duration(i)*time.Second), end, int64(i+1), end)
	}
	// A window has ended at its end: the hit at that very time starts a new one.
	next := at(2 * time.Minute)
	hit(t, s, key, end, next, 1, next)
	hit(t, s, key, end.Add(time.Second), at(3*time.Minute), 2, next)
	// Long after, the counter starts over again.
	later := at(oneDay + time.Minute)
	hit(t, s, key, at(oneDay), later, 1, later)
	hit(t, s, key, at(oneDay+time.Second), at(oneDay+2*time.Minute), 2, later)
}

func testCountKeysIndependent(t *testing.T, s storage.Store) {
	end := at(time.Hour)
	long := strings.Repeat("send:prefix:+44770090", 20) // 420 bytes
	keys := []string{
		"send:identifier:ada@example.com",
		"send:identifier:ADA@example.com",
		"send:identifier:ada@example.co",
		"",
		long,
		long + "1",
		long + "2",
		strings.Repeat("x", 5000),
		"nul\x00inside",
		"nul",
		"bad utf-8 \xff\xfe",
		"ünïcødé ✓",
	}
	// Each key is hit as many times as its position in the list, interleaved with the others.
	for round := range len(keys) {
		for i, key := range keys {
			if round <= i {
				hit(t, s, key, at(time.Duration(round)*time.Second), end, int64(round+1), end)
			}
		}
	}
	for i, key := range keys {
		hit(t, s, key, at(time.Minute), end, int64(i+2), end)
	}
}

func testCountReset(t *testing.T, s storage.Store) {
	const key, other = "fail:identifier:ada@example.com", "fail:identifier:bob@example.com"
	end := at(15 * time.Minute)
	must(t, s.ResetCounter(t.Context(), key), "reset a counter that does not exist")
	for i := range 3 {
		hit(t, s, key, at(time.Duration(i)*time.Second), end, int64(i+1), end)
	}
	hit(t, s, other, base, end, 1, end)

	must(t, s.ResetCounter(t.Context(), key), "reset counter")
	// The reset counter starts over, with the window of its next hit.
	newEnd := at(20 * time.Minute)
	hit(t, s, key, at(5*time.Minute), newEnd, 1, newEnd)
	hit(t, s, key, at(6*time.Minute), at(21*time.Minute), 2, newEnd)
	// The other counter was left alone.
	hit(t, s, other, at(time.Minute), at(16*time.Minute), 2, end)

	must(t, s.ResetCounter(t.Context(), key), "reset counter again")
	must(t, s.ResetCounter(t.Context(), key), "reset a counter already reset")
	hit(t, s, key, at(7*time.Minute), at(8*time.Minute), 1, at(8*time.Minute))
}

func testCountRejectsEndedWindow(t *testing.T, s storage.Store) {
	const key = "send:identifier:ada@example.com"
	for _, end := range []time.Time{base, at(-time.Minute)} {
		if _, _, err := s.CountHit(t.Context(), key, base, end); err == nil {
			t.Errorf("CountHit with a window ending at %v, not after now %v: got no error", end, base)
		}
	}
	// A refused hit counted nothing.
	hit(t, s, key, base, at(time.Minute), 1, at(time.Minute))
}
