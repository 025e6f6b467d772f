package auth

import (
	"context"
	"sync/atomic"
	"time"
)

// DefaultAnswerGrid is the default of Options.AnswerGrid, the time grid on which the answers
// that enumeration protection makes alike are released: sends (OTP, magic link, password
// reset), passkey login starts, and failed logins by TOTP or recovery code. An answer leaves
// at the first multiple of the grid, counted from when the work began, after the work is done.
//
// Decoys do the work a real user's request does (the same statements, the same rendering and
// sealing), which brings the difference between a known and an unknown user down to a few
// microseconds; what remains comes from where rows land in the database's pages, which no
// decoy can copy. On a grid that difference moves an answer to a later grid point only when
// the work ends within those microseconds of a point, so nearly every answer for either kind
// of user leaves at the same moment. The grid must be longer than the work usually takes, or a
// few microseconds more work would often move an answer a whole step: two milliseconds is
// above that on SQLite, where a send takes about half a millisecond, and far below anything a
// person notices. PostgreSQL's commits are network round trips, and its deployments want a
// longer grid (the server's configuration defaults to 10 ms there).
const DefaultAnswerGrid = 2 * time.Millisecond

// Pacer releases an answer on the grid. It measures the monotonic clock, not
// Options.Now: the time an attacker sees is wall time, whatever clock the logic runs on.
type Pacer struct {
	start time.Time
	grid  time.Duration
	On    bool
	held  *atomic.Int64 // the Service's count of answers held
}

// PaceAnswers starts timing an answer, which is held to the grid once on is set (the
// application hides whether users exist) and released at once otherwise.
func (s *Service) PaceAnswers() *Pacer {
	return &Pacer{start: time.Now(), grid: s.opts.AnswerGrid, held: &s.heldAnswers}
}

// Hold waits until the grid point that follows the work, or until ctx ends.
//
// Go's timers cannot do this: an idle runtime sleeps in whole milliseconds counted from the
// moment it went idle, which is when the work ended, so a timer's wake-up carries the work's
// duration into the answer's to the microsecond. The wait is therefore slept by the kernel
// (precise to its timer slack, whatever the work took) on the goroutine's thread, for at most
// one grid step. Up to maxPreciseWaits answers wait that way at once, each holding a thread;
// beyond them, under a load whose noise hides microseconds anyway, a timer waits instead.
func (p *Pacer) Hold(ctx context.Context) {
	if p == nil || !p.On {
		return
	}
	p.held.Add(1)
	wait := gridWait(time.Since(p.start), p.grid)
	select {
	case preciseWaits <- struct{}{}:
		defer func() { <-preciseWaits }()
		if sleepPrecisely(wait) {
			return
		}
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// maxPreciseWaits bounds the threads that answers waiting on the grid hold.
const maxPreciseWaits = 64

var preciseWaits = make(chan struct{}, maxPreciseWaits)

// gridWait returns how long after elapsed the next multiple of grid is; an answer exactly on
// a grid point waits a whole step, so that no answer leaves before its work plus a wait.
func gridWait(elapsed, grid time.Duration) time.Duration {
	return grid - elapsed%grid
}

// HeldAnswers returns how many answers the service has held to the grid since it started.
func (s *Service) HeldAnswers() int64 { return s.heldAnswers.Load() }
