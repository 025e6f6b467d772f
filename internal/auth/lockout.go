package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Lockout is the one lockout sequence every login method runs inside its attempt's
// transaction (see SettleAttempt), whatever the credential:
//
//  1. Check orders the attempts on the lockout's first key, so that each sees what the one
//     before it counted, and refuses while any of its keys is locked: one read for all keys.
//  2. Fail counts a wrong credential against Counter and, when Policy says the budget is
//     spent, locks every key.
//  3. Lock locks every key at once, for a credential that ran out of attempts of its own
//     (an OTP whose code took its last wrong guess).
//  4. Clear forgets Counter's failures after a success.
//
// Methods differ only in their keys and their FailurePolicy (passwords lock for longer as
// failures go on); the store's lockout and lock calls are made here alone, which an
// architecture test enforces.
//
// Keys are several where one person has several names: OTP locks the identifier and the
// user a code names, so that the next attempt, which finds no code naming the user, is
// refused too.
type Lockout struct {
	Caller model.Caller
	// Keys are the lockout's keys; the first one orders attempts.
	Keys []string
	// Counter names the failures counted towards the lockout.
	Counter string
	Policy  FailurePolicy
	// Ordered says that the attempts are already ordered by a row they all write (an OTP's
	// code), so Check takes no lock of its own.
	Ordered bool
	// Uncounted says the attempt's first read found no failures under Counter, so Clear
	// has nothing to forget and writes nothing (see CheckCode).
	Uncounted bool
}

// FailurePolicy decides how many failures lock a login, and for how long.
type FailurePolicy interface {
	// CountFailure counts one failure under counter and returns how long to lock for, or
	// zero when the budget is not yet spent.
	CountFailure(ctx context.Context, tx AttemptTx, c model.Caller, counter string, now time.Time) (time.Duration, error)
	// ClearFailures forgets counter's failures.
	ClearFailures(ctx context.Context, tx storage.Store, c model.Caller, counter string) error
}

// Check starts an attempt: it takes the first key's lock for the rest of the transaction
// (see storage.Counters.LockKey), unless the attempts are ordered otherwise, and returns the
// refusal to answer with when any key is locked at now, else nil.
func (l Lockout) Check(ctx context.Context, tx storage.Store, now time.Time) (error, error) {
	if !l.Ordered {
		if err := tx.LockKey(ctx, l.Keys[0]); err != nil {
			return nil, err
		}
	}
	return l.Locked(ctx, tx, now)
}

// Locked reads whether any key is locked at now, without ordering anything: for a refusal
// given before the expensive part of an attempt, which Check repeats inside the transaction.
func (l Lockout) Locked(ctx context.Context, st storage.Codes, now time.Time) (error, error) {
	found, err := st.ActiveLockout(ctx, l.Caller.TenantID, l.Caller.AppID, now, l.Keys...)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return ErrLocked(found.Until, now), nil
}

// Fail counts a failure and, when that spends the budget, locks every key. It returns the
// lockout's refusal when it locked, else nil: the caller answers with its own failure then.
func (l Lockout) Fail(ctx context.Context, tx AttemptTx, now time.Time) (error, error) {
	d, err := l.Policy.CountFailure(ctx, tx, l.Caller, l.Counter, now)
	if err != nil || d <= 0 {
		return nil, err
	}
	return l.Lock(ctx, tx, d, now)
}

// Lock locks every key for d and returns the refusal to answer with.
func (l Lockout) Lock(ctx context.Context, tx AttemptTx, d time.Duration, now time.Time) (error, error) {
	until := now.Add(d)
	for _, key := range l.Keys {
		if err := tx.PutLockout(ctx, model.Lockout{TenantID: l.Caller.TenantID, AppID: l.Caller.AppID, Key: key, Until: until}); err != nil {
			return nil, err
		}
	}
	tx.countLockout()
	return ErrLocked(until, now), nil
}

// Clear forgets the failures counted towards the lockout, after a success.
func (l Lockout) Clear(ctx context.Context, tx storage.Store) error {
	if l.Uncounted {
		return nil
	}
	return l.Policy.ClearFailures(ctx, tx, l.Caller, l.Counter)
}

// CheckCode is Check for an attempt at a code, made by the statement that reads the code
// (storage.Codes.CodeAttempt): the identifier's latest unspent code of purpose, and the
// lockout of keyPrefix+identifier and, when the code names a user, of keyPrefix+"user:"+id.
// Failures count against that user, else against the identifier. The attempts are ordered
// by the code's row, which each of them writes.
//
// It returns what was read, the lockout to go on with (its Policy left for the caller, who
// may choose it by the code), and the refusal to answer with when a key is locked. The
// lockout is Uncounted when the counter held no failures: a success then makes no write to
// forget them. Should a concurrent wrong guess count one after this read, the success
// leaves it counted, which only makes the next lockout come sooner.
func CheckCode(ctx context.Context, tx storage.Store, c model.Caller, purpose, keyPrefix, identifier string, now time.Time) (storage.CodeAttempt, Lockout, error, error) {
	att, err := tx.CodeAttempt(ctx, storage.CodeAttemptQuery{
		TenantID: c.TenantID, AppID: c.AppID, Purpose: purpose, Identifier: identifier, Now: now,
		LockKey: keyPrefix + identifier, UserLockPrefix: keyPrefix + "user:",
		Counter: failKey(c, identifier), UserCounterPrefix: failKey(c, "user:"),
	})
	if err != nil {
		return att, Lockout{}, nil, err
	}
	l := Lockout{Caller: c, Keys: []string{keyPrefix + identifier}, Counter: identifier, Ordered: true, Uncounted: att.Failures == 0}
	if att.Found && att.Code.UserID != "" {
		l.Counter = "user:" + att.Code.UserID
		l.Keys = append(l.Keys, keyPrefix+l.Counter)
	}
	if att.LockedUntil != nil {
		return att, l, ErrLocked(*att.LockedUntil, now), nil
	}
	return att, l, nil, nil
}

// Lift ends the lockout of every key and forgets the failures, when the person has proven
// who they are another way (a password reset).
func (l Lockout) Lift(ctx context.Context, tx storage.Store) error {
	for _, key := range l.Keys {
		if err := tx.DeleteLockout(ctx, l.Caller.TenantID, l.Caller.AppID, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return l.Clear(ctx, tx)
}

// Budget is the failure policy of every method but passwords: the application's
// failuresPerIdentifier failures within failuresExpireIn minutes lock for Minutes.
type Budget struct {
	Limits  model.RateLimits
	Minutes int
}

// CountFailure implements FailurePolicy.
func (b Budget) CountFailure(ctx context.Context, tx AttemptTx, c model.Caller, counter string, now time.Time) (time.Duration, error) {
	window := time.Duration(b.Limits.FailuresExpireIn) * time.Minute
	n, _, err := tx.CountHit(ctx, failKey(c, counter), now, now.Add(window))
	if err != nil || n < int64(b.Limits.FailuresPerIdentifier) {
		return 0, err
	}
	return b.Duration(), nil
}

// ClearFailures implements FailurePolicy.
func (Budget) ClearFailures(ctx context.Context, tx storage.Store, c model.Caller, counter string) error {
	return tx.ResetCounter(ctx, failKey(c, counter))
}

// Duration is how long the budget's lockout lasts.
func (b Budget) Duration() time.Duration { return time.Duration(b.Minutes) * time.Minute }

func failKey(c model.Caller, counter string) string {
	return "fail:" + c.TenantID + ":" + c.AppID + ":" + counter
}
