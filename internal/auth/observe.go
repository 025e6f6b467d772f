package auth

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/observe"
)

// Recorder counts what operators watch of sign-ins (package metrics implements it). Options'
// Recorder nil counts nothing.
type Recorder interface {
	// Login counts one settled login attempt of method (an amr value, "session" or
	// "password_reset") with its outcome: OutcomeSuccess, OutcomeFailure or OutcomeLocked.
	Login(method, outcome string)
	// Lockout counts one lockout set: a failure that spent its method's budget.
	Lockout()
}

// Login outcomes, as Recorder.Login reports them.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeLocked  = "locked" // refused while locked, or the failure that locked
)

// step starts the span of one pipeline step; with no Tracer it returns ctx and a span that
// does nothing, allocating nothing.
func (s *Service) step(ctx context.Context, name string) (context.Context, observe.Span) {
	if s == nil {
		// A router built without a core (route and error-shape tests) still answers a
		// missing token before it would need one.
		return observe.Start(ctx, nil, name)
	}
	return observe.Start(ctx, s.opts.Tracer, name)
}

// countLogin reports a login attempt's audit event to the Recorder. Every login attempt, of
// every method, writes exactly one such event through Record, which is why it is counted
// there: a success when its transaction writes the event, a failure when its own does.
func (s *Service) countLogin(ev Event) {
	if s.opts.Recorder == nil {
		return
	}
	switch ev.Type {
	case model.EventLoginSucceeded:
		s.opts.Recorder.Login(ev.Method, OutcomeSuccess)
	case model.EventLoginFailed:
		s.opts.Recorder.Login(ev.Method, OutcomeFailure)
	case model.EventLockout:
		s.opts.Recorder.Login(ev.Method, OutcomeLocked)
	}
}

// countLockout reports a lockout set within an attempt's transaction.
func (tx AttemptTx) countLockout() {
	if tx.recorder != nil {
		tx.recorder.Lockout()
	}
}
