package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// The lockout sequence on its own, on both stores: failures up to the budget lock every key,
// a lock on any key refuses, a success forgets the failures, a lift ends the lockouts, and a
// lockout ends when its time is up.
func TestLockoutSequence(t *testing.T) {
	bothBackends(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		lock := auth.Lockout{Caller: f.Caller, Keys: []string{"test:a", "test:b"}, Counter: "test:a",
			Policy: auth.Budget{Limits: model.RateLimits{FailuresPerIdentifier: 3, FailuresExpireIn: 10}, Minutes: 5}}
		// step runs fn in a write transaction, as SettleAttempt runs an attempt.
		step := func(fn func(tx auth.AttemptTx) (error, error)) error {
			t.Helper()
			var refusal error
			err := f.Store.InTx(ctx, func(tx storage.Store) error {
				var err error
				refusal, err = fn(auth.AttemptTx{Store: tx})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return refusal
		}
		check := func(l auth.Lockout) error {
			return step(func(tx auth.AttemptTx) (error, error) { return l.Check(ctx, tx, f.Clock.Now()) })
		}
		fail := func() error {
			return step(func(tx auth.AttemptTx) (error, error) { return lock.Fail(ctx, tx, f.Clock.Now()) })
		}
		for i := 1; i < 3; i++ {
			if err := fail(); err != nil {
				t.Fatalf("failure %d locked: %v", i, err)
			}
		}
		// A success forgets them: three more are needed.
		step(func(tx auth.AttemptTx) (error, error) { return nil, lock.Clear(ctx, tx) })
		for i := 1; i < 3; i++ {
			if err := fail(); err != nil {
				t.Fatalf("failure %d after a success locked: %v", i, err)
			}
		}
		if err := check(lock); err != nil {
			t.Fatalf("locked before the budget was spent: %v", err)
		}
		fe := fault.As(fail())
		if fe.Kind != fault.Locked || fe.RetryAfter != 5*time.Minute {
			t.Fatalf("the last failure of the budget: %+v, want a 5-minute lockout", fe)
		}
		// Every key is locked: a lockout on the second key alone refuses too.
		only := lock
		only.Keys = []string{"test:b"}
		if fault.As(check(only)).Kind != fault.Locked {
			t.Fatal("the second key is not locked")
		}
		locked, err := lock.Locked(ctx, f.Store, f.Clock.Now())
		if err != nil || fault.As(locked).Kind != fault.Locked {
			t.Fatalf("Locked outside a transaction: %v, %v", locked, err)
		}
		f.Clock.Advance(5*time.Minute + time.Second)
		if err := check(lock); err != nil {
			t.Fatalf("still locked after the lockout's time: %v", err)
		}
		// Lock locks at once, and Lift ends it.
		if err := step(func(tx auth.AttemptTx) (error, error) { return lock.Lock(ctx, tx, time.Minute, f.Clock.Now()) }); fault.As(err).Kind != fault.Locked {
			t.Fatalf("Lock answered %v", err)
		}
		if fault.As(check(only)).Kind != fault.Locked {
			t.Fatal("Lock left the second key open")
		}
		step(func(tx auth.AttemptTx) (error, error) { return nil, lock.Lift(ctx, tx) })
		if err := check(lock); err != nil {
			t.Fatalf("still locked after Lift: %v", err)
		}
	})
}
