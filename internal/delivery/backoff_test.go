package delivery

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func TestRetryDelay(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	for i, w := range want {
		if got := RetryDelay(i + 1); got != w {
			t.Errorf("RetryDelay(%d) = %v, want %v", i+1, got, w)
		}
	}
	for _, n := range []int{10, 11, 50, 1000} {
		if got := RetryDelay(n); got != MaxRetryDelay {
			t.Errorf("RetryDelay(%d) = %v, want the cap %v", n, got, MaxRetryDelay)
		}
	}
}

func TestJitterStaysWithinBounds(t *testing.T) {
	d := 8 * time.Second
	seen := map[time.Duration]bool{}
	for range 200 {
		j := jittered(d)
		if j > d || j <= d*3/4 {
			t.Fatalf("jittered(%v) = %v, outside (3/4·d, d]", d, j)
		}
		seen[j] = true
	}
	if len(seen) < 2 {
		t.Error("jitter never varies")
	}
}

func TestAbandoned(t *testing.T) {
	now := time.Now()
	if Abandoned(model.OutboxMessage{NextAttemptAt: now}) {
		t.Error("a due message is abandoned")
	}
	if !Abandoned(model.OutboxMessage{NextAttemptAt: FarFuture}) {
		t.Error("a message due at FarFuture is not abandoned")
	}
	if Abandoned(model.OutboxMessage{NextAttemptAt: FarFuture, DeliveredAt: &now}) {
		t.Error("a delivered message is abandoned")
	}
	if ms := FarFuture.UnixMilli(); ms <= 0 || time.UnixMilli(ms).UTC() != FarFuture {
		t.Errorf("FarFuture does not round-trip through Unix milliseconds")
	}
}

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	base := errorString("550 no such user")
	err := Permanent(base)
	if !IsPermanent(err) || err.Error() != base.Error() {
		t.Errorf("Permanent(%v) = %v", base, err)
	}
	if IsPermanent(base) {
		t.Error("plain error is permanent")
	}
	wrapped := wrapError{err}
	if !IsPermanent(wrapped) {
		t.Error("a wrapped permanent error is not permanent")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

type wrapError struct{ err error }

func (w wrapError) Error() string { return "send: " + w.err.Error() }
func (w wrapError) Unwrap() error { return w.err }
