package delivery

import (
	"math/rand/v2"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Retry policy; see the package documentation.
const (
	// FirstRetryDelay is the delay after the first failed attempt; it doubles with each further
	// failure.
	FirstRetryDelay = 2 * time.Second
	// MaxRetryDelay caps the delay between attempts.
	MaxRetryDelay = 10 * time.Minute
	// DefaultMaxAttempts is how many failed attempts abandon a message.
	DefaultMaxAttempts = 12
)

// FarFuture is the NextAttemptAt of an abandoned message (storage.NeverDue): late enough never
// to come due, and still representable as Unix milliseconds in a 64-bit integer column.
var FarFuture = storage.NeverDue

// Abandoned reports whether m is undelivered and will not be tried again.
func Abandoned(m model.OutboxMessage) bool {
	return m.DeliveredAt == nil && !m.NextAttemptAt.Before(FarFuture)
}

// RetryDelay returns the delay, before jitter, that follows the given number of failed
// attempts (1 for the first failure).
func RetryDelay(failures int) time.Duration {
	d := FirstRetryDelay
	for i := 1; i < failures; i++ {
		d *= 2
		if d >= MaxRetryDelay {
			return MaxRetryDelay
		}
	}
	return d
}

// jittered removes up to a quarter of d at random. Removing rather than adding keeps the cap a
// true maximum while still spreading out messages that failed together, and every delay stays
// longer than the previous one's maximum would allow before the cap (3/4 of 2d > d).
func jittered(d time.Duration) time.Duration {
	q := int64(d / 4)
	if q <= 0 {
		return d
	}
	return d - time.Duration(rand.Int64N(q))
}
