package passwords

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage"
)

// AuthenticatePassword logs a user in with a password. The answer for an unknown name, a user
// without a password and a wrong password is the same, and takes as long: unknown names are
// checked against a dummy hash. Hashing runs before the login's one write transaction, which
// re-checks the lockout, counts a failure or records the login, and stores an argon2id
// rehash of an imported or outdated hash.
func (s *Service) AuthenticatePassword(ctx context.Context, c model.Caller, req PasswordAuthenticate) (auth.TokenResponse, error) {
	if p := passwordLoginProblems(req.Username, req.UsernameType, req.Password, "password"); len(p) > 0 {
		return auth.TokenResponse{}, fault.Validation(p...)
	}
	prefs, n, ok, rehash, now, err := s.presentPassword(ctx, c, req.UsernameType, req.Username, req.Password, req.ClientAttributes)
	if err != nil {
		return auth.TokenResponse{}, err
	}
	use := func(cur model.Credential, d password.Data) (model.Credential, error) {
		if f := stateFault(d.StateAt(prefs, now)); f != nil {
			return cur, f
		}
		if rehash != "" {
			cur.Secret = []byte(rehash)
		}
		return cur, nil
	}
	return s.settleLogin(ctx, c, prefs, n, ok, use, nil, req.Login, now, "authenticate password")
}

// settleLogin ends a login by password, or a change that logs in: in one settled attempt it
// checks the lockout, counts a wrong password or updates the credential with update, runs
// then (a change's own writes) and records the login, writes the audit event and, after the
// commit, signs the tokens. A wrong password's count commits even if its audit event cannot
// be written.
func (s *Service) settleLogin(ctx context.Context, c model.Caller, prefs model.PasswordPreferences, n loginName, ok bool,
	update func(model.Credential, password.Data) (model.Credential, error), then func(tx auth.AttemptTx) error,
	login auth.Login, now time.Time, what string) (auth.TokenResponse, error) {
	var is auth.Issued
	failure, err := s.core.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		is = auth.Issued{}
		failure, err := s.passwordAttempt(ctx, tx, c, prefs, n, ok, update, now)
		if err == nil && failure == nil && then != nil {
			err = then(tx)
		}
		if err == nil && failure == nil {
			is, err = s.core.RecordLogin(ctx, tx, auth.Grant{Caller: c, User: n.user, Method: model.AMRPassword, Login: login}, now)
		}
		return failure, err
	}, func(st storage.Store, failure error) error {
		return s.core.Record(ctx, st, c, auth.LoginEvent(model.AMRPassword, n.user.ID, login.ClientAttributes, failure, is), now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, what)
	}
	if failure != nil {
		return auth.TokenResponse{}, failure
	}
	return s.core.Sign(ctx, is, login.Claims, now)
}

// presentPassword is the part of a login and a password change before their transaction: it
// finds the login name in the caller's application, refuses a locked name, and checks the
// presented password (with a dummy hash for unknown names, so both take as long).
func (s *Service) presentPassword(ctx context.Context, c model.Caller, usernameType, username, presented string, attrs model.ClientAttributes) (
	prefs model.PasswordPreferences, n loginName, ok bool, rehash string, now time.Time, err error) {
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return prefs, n, false, "", now, fault.Wrap(err, "get application")
	}
	prefs = app.Preferences.Normalized().Password
	if n, err = s.findLoginName(ctx, c, app, usernameType, username); err != nil {
		return prefs, n, false, "", now, err
	}
	now = s.core.Now()
	if err = s.refuseLocked(ctx, c, n, attrs, now); err != nil {
		return prefs, n, false, "", now, err
	}
	ok, rehash, err = s.checkSecret(ctx, c, n, presented)
	return prefs, n, ok, rehash, now, err
}

// refuseLocked answers a locked login name before any hashing, recording the refusal.
func (s *Service) refuseLocked(ctx context.Context, c model.Caller, n loginName, attrs model.ClientAttributes, now time.Time) error {
	locked, err := n.lockout(c, model.PasswordPreferences{}).Locked(ctx, s.store, now)
	if err != nil {
		return fault.Wrap(err, "get lockout")
	}
	if locked != nil {
		s.core.RecordRejected(ctx, c, auth.LoginEvent(model.AMRPassword, n.user.ID, attrs, locked, auth.Issued{}))
	}
	return locked
}

// passwordAttempt runs inside a login's transaction once the presented password has been
// checked (ok). It re-checks the lockout, since a concurrent failure may have locked the name;
// counts a wrong password; and for a right one checks that the user is active, forgets the
// name's failures and applies update to the credential, provided its hash is still the one
// verified. It returns the failure to answer with, or nil when the caller may log the user in.
// A fault returned by update (a temporary password, say) is a failure and writes nothing.
func (s *Service) passwordAttempt(ctx context.Context, tx auth.AttemptTx, c model.Caller, p model.PasswordPreferences, n loginName, ok bool,
	update func(model.Credential, password.Data) (model.Credential, error), now time.Time) (error, error) {
	// Attempts on one name run one at a time from here: each sees the lockout the one before
	// may have set, so a burst cannot all be checked against the same remaining budget.
	lock := n.lockout(c, p)
	if locked, err := lock.Check(ctx, tx, now); err != nil || locked != nil {
		return locked, err
	}
	if !ok {
		if locked, err := lock.Fail(ctx, tx, now); err != nil || locked != nil {
			return locked, err
		}
		return errBadPassword, nil
	}
	if n.user.Status != model.UserActive {
		return fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active"), nil
	}
	if err := lock.Clear(ctx, tx); err != nil {
		return nil, err
	}
	// The password just presented is the person's own proof, for a login's bookkeeping and
	// for a change alike.
	grant, err := directory.AllowCredential(ctx, tx, c, n.user.ID, directory.ByUser)
	if err != nil {
		return nil, err
	}
	var failure *fault.Error
	err = grant.Update(ctx, tx, n.cred.ID, func(cur model.Credential) (model.Credential, error) {
		if !bytes.Equal(cur.Secret, n.cred.Secret) {
			return cur, errStale
		}
		d, err := password.ParseData(cur.Data)
		if err != nil {
			return cur, err
		}
		next, err := update(cur, d)
		if errors.As(err, &failure) {
			return cur, auth.ErrNoChange
		} else if err != nil {
			return cur, err
		}
		next.LastUsedAt, next.UpdatedAt = &now, now
		return next, nil
	})
	switch {
	case errors.Is(err, auth.ErrNoChange):
		return failure, nil
	case errors.Is(err, errStale), errors.Is(err, storage.ErrNotFound):
		// Changed or removed since it was verified: the presented password proves nothing.
		return errBadPassword, nil
	case err != nil:
		return nil, err
	}
	if n.linked {
		return nil, nil
	}
	return nil, tx.LinkUser(ctx, model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: n.user.ID, CreatedAt: now, Adopted: true})
}
