package auth

import (
	"context"
	"sync/atomic"
	"time"
)

// AnswerGrid is the time grid on which the answers that enumeration protection makes alike
// are released: sends (OTP, magic link, password reset), passkey login starts, and failed
// logins by TOTP or recovery code. An answer leaves at the first multiple of the grid,
// counted from when the work began, after the work is done.
//
// Decoys do the work a real user's request does (the same statements, the same rendering and
// sealing), which brings the difference between a known and an unknown user down to a few
// microseconds; what remains comes from where rows land in the database's pages, which no
// decoy can copy. On a grid that difference moves an answer to a later grid point only when
// the work ends within those microseconds of a point, so nearly every answer for either kind
// of user leaves at the same moment. Two milliseconds is above the time these requests take
// on an idle server and far below anything a person notices.
const AnswerGrid = 2 * time.Millisecond

// answerPacer releases an answer on the grid. It measures the monotonic clock, not
// Options.Now: the time an attacker sees is wall time, whatever clock the logic runs on.
type answerPacer struct {
	start time.Time
	on    bool
	held  *atomic.Int64 // the Service's count of answers held
}

// paceAnswers starts timing an answer that is held to the grid when on is set (the
// application hides whether users exist) and released at once otherwise.
func (s *Service) paceAnswers() *answerPacer {
	return &answerPacer{start: time.Now(), held: &s.heldAnswers}
}

// hold waits until the grid point that follows the work, or until ctx ends.
func (p *answerPacer) hold(ctx context.Context) {
	if p == nil || !p.on {
		return
	}
	p.held.Add(1)
	wait := gridWait(time.Since(p.start), AnswerGrid)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// gridWait returns how long after elapsed the next multiple of grid is; an answer exactly on
// a grid point waits a whole step, so that no answer leaves before its work plus a wait.
func gridWait(elapsed, grid time.Duration) time.Duration {
	return grid - elapsed%grid
}
