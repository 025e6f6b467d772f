package auth

import (
	"context"

	"github.com/latchkey/latchkey/internal/storage"
)

// AttemptTx is the transaction of an attempt run by SettleAttempt. The helpers that count a
// failure (Lockout.Fail and Lock, FailurePolicy.CountFailure) take only this type, so that a
// failure cannot be counted in a transaction whose failure would not commit on its own.
type AttemptTx struct {
	storage.Store
	recorder Recorder // counts the lockouts the attempt sets
}

// SettleAttempt runs one attempt at a credential that counts failures (a code, a password, a
// TOTP or recovery code, a passkey, a link) and writes its audit events.
//
// check runs in a write transaction: it takes the attempt's lock, refuses a lockout, checks
// the credential and, for a wrong one, counts the failure (and locks when the count reaches
// the limit). It returns the failure to answer with, or nil for a success, which check has
// recorded (session, tokens) in the same transaction. record writes the attempt's audit
// events through the store it is given.
//
// A success's writes and events commit together. A failure's transaction commits as soon as
// check returns, and its events follow in a transaction of their own: whatever fails after
// the count (an event the database refuses, a webhook queue that is full) can then no longer
// roll the count back, so that a guess that errors still counts towards the lockout. The
// answer to such a request is the later error; the count stands.
func (s *Service) SettleAttempt(ctx context.Context, check func(tx AttemptTx) (failure error, err error),
	record func(st storage.Store, failure error) error) (failure error, err error) {
	ctx, span := s.step(ctx, "auth.settle_attempt")
	defer func() { span.End(err) }()
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		var err error
		if failure, err = check(AttemptTx{Store: tx, recorder: s.opts.Recorder}); err != nil || failure != nil {
			return err
		}
		return record(tx, nil)
	})
	if err != nil || failure == nil {
		return failure, err
	}
	return failure, s.store.InTx(ctx, func(tx storage.Store) error { return record(tx, failure) })
}
