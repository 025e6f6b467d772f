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
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// CompletePasswordReset sets a new password with a reset code. A wrong code counts against
// the code, which is spent after maxPasswordFailures. The new password must satisfy the
// policy and differ from the current one and the blockPreviousPasswords most recent; when it
// does not, the code stays usable for a better one. Success ends every session of the user,
// with its refresh tokens, and lifts their password lockouts in the application.
func (s *Service) CompletePasswordReset(ctx context.Context, c model.Caller, req PasswordResetComplete) error {
	code, presented, err := s.findResetCode(ctx, c, req)
	if err != nil {
		return err
	}
	now := s.core.Now()
	if code.ID == "" || code.ConsumedAt != nil {
		return errBadResetCode
	}
	if err := s.checkResetCode(ctx, c, code, presented, req.ClientAttributes, now); err != nil {
		return err
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	all := app.Preferences.Normalized()
	prefs := all.Password
	u, err := s.store.GetUser(ctx, c.TenantID, code.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return errBadResetCode
	} else if err != nil {
		return fault.Wrap(err, "get user")
	}
	if u.Status != model.UserActive {
		return fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	// A code Latchkey delivered to the user's own address is the person's proof; one the
	// application had sent to itself (direct) is only its word.
	proof := directory.ByUser
	if code.Channel == model.ChannelDirect {
		proof = directory.ByCaller
	}
	grant, err := directory.AllowCredential(ctx, s.store, c, u.ID, proof)
	if err != nil {
		return err
	}
	cur, found, err := passwordOf(ctx, s.store, c.TenantID, u.ID)
	if err != nil {
		return err
	}
	if !found {
		return errNoPassword
	}
	// A code asked for before the password last changed (by the user in any application, or
	// by an administrator) answers a situation that no longer holds: it is spent in effect.
	if d, err := password.ParseData(cur.Data); err == nil && code.CreatedAt.Before(d.ChangedAt) {
		return errBadResetCode
	}
	in := password.Input{Password: req.NewPassword, Subject: password.Subject{Username: u.Username, Email: u.Email}}
	next, err := password.Shared().Replace(ctx, cur, in, prefs, true, now)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		err := tx.UpdateCode(ctx, c.TenantID, code.ID, func(cc model.OneTimeCode) (model.OneTimeCode, error) {
			if cc.ConsumedAt != nil || !now.Before(cc.ExpiresAt) {
				return cc, errBadResetCode
			}
			cc.ConsumedAt = &now
			return cc, nil
		})
		if err != nil {
			return err
		}
		err = grant.Update(ctx, tx, cur.ID, func(cc model.Credential) (model.Credential, error) {
			if !bytes.Equal(cc.Secret, cur.Secret) {
				return cc, fault.New(fault.Conflict, fault.CodeConflict, "the password changed meanwhile; ask for a new reset code")
			}
			cc.Secret, cc.Data, cc.UpdatedAt = next.Secret, next.Data, now
			return cc, nil
		})
		if err != nil {
			return err
		}
		if err := resetLockout(c, all, code).Clear(ctx, tx); err != nil {
			return err
		}
		return s.passwordChanged(ctx, tx, c, u, "reset", "", now)
	})
	return auth.AsFault(err, "complete password reset")
}

// findResetCode returns the reset code a request presents, and the secret to compare: a
// link's code names its record; a typed code is the latest one sent to the identifier. A
// missing code is the zero value.
func (s *Service) findResetCode(ctx context.Context, c model.Caller, req PasswordResetComplete) (model.OneTimeCode, string, error) {
	var p []string
	id, linkSecret, isLink := splitResetCode(req.Code)
	if req.Code == "" {
		p = append(p, "code is required")
	} else if len(req.Code) > auth.MaxCodeLen {
		return model.OneTimeCode{}, "", errBadResetCode
	}
	if !isLink || req.IdentifierType != "" || req.Identifier != "" {
		p = append(p, auth.ValidateIdentifier(req.IdentifierType, req.Identifier)...)
	}
	if err := password.CheckForm("new_password", req.NewPassword); err != nil {
		p = append(p, fault.As(err).Details...)
	}
	if len(p) > 0 {
		return model.OneTimeCode{}, "", fault.Validation(p...)
	}
	var identifier string
	if req.IdentifierType != "" {
		norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
		if err != nil {
			return model.OneTimeCode{}, "", fault.Validation("identifier: " + err.Error())
		}
		identifier = req.IdentifierType + ":" + norm
	}
	var code model.OneTimeCode
	var err error
	presented := req.Code
	if isLink {
		if !model.ValidID(id) {
			return model.OneTimeCode{}, "", errBadResetCode
		}
		code, err = s.store.GetCode(ctx, c.TenantID, id)
		presented = linkSecret
	} else {
		code, err = s.store.LatestCode(ctx, c.TenantID, c.AppID, model.PurposePasswordReset, identifier)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return model.OneTimeCode{}, "", nil
	case err != nil:
		return model.OneTimeCode{}, "", fault.Wrap(err, "get reset code")
	case code.Purpose != model.PurposePasswordReset || code.AppID != c.AppID:
		return model.OneTimeCode{}, "", nil
	case identifier != "" && code.Identifier != identifier:
		return model.OneTimeCode{}, "", nil
	}
	return code, presented, nil
}

// resetLockout is the lockout of a code's reset: the user's, one budget across all their
// reset codes, so that asking for a new code does not buy new guesses; for a decoy code, which
// names no user, its identifier's. It lasts as long as an OTP lockout of the code's channel.
func resetLockout(c model.Caller, all model.LoginPreferences, code model.OneTimeCode) auth.Lockout {
	key := "reset:" + code.Identifier
	if code.UserID != "" {
		key = "reset:user:" + code.UserID
	}
	minutes := auth.OTPPrefs(all, code.Channel, code.IdentifierType).LockoutDuration
	return auth.Lockout{Caller: c, Keys: []string{key}, Counter: key, Policy: auth.Budget{Limits: all.Limits, Minutes: minutes}}
}

// checkResetCode compares a presented reset code with its record inside one atomic update,
// as OTP does: a wrong code is counted there and then, so parallel guesses cannot all be
// compared against a count read before any of them was recorded. Wrong codes also count
// against the user across codes (rate_limits.failuresPerIdentifier), and reaching that limit
// locks reset for the lockout duration of the code's channel, as for OTP. The code stays
// unspent on success; the transaction that sets the password spends it.
func (s *Service) checkResetCode(ctx context.Context, c model.Caller, code model.OneTimeCode, presented string, attrs model.ClientAttributes, now time.Time) error {
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	lock := resetLockout(c, app.Preferences.Normalized(), code)
	typ := model.EventLoginFailed
	// A wrong code's count commits even if its audit event cannot be written.
	result, err := s.core.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		typ = model.EventLoginFailed
		if locked, err := lock.Check(ctx, tx, now); err != nil || locked != nil {
			typ = model.EventLockout
			return locked, err
		}
		var result error
		wrong := false
		err := tx.UpdateCode(ctx, c.TenantID, code.ID, func(cc model.OneTimeCode) (model.OneTimeCode, error) {
			result, wrong = nil, false
			switch {
			case cc.ConsumedAt != nil:
				result = errBadResetCode
				return cc, auth.ErrNoChange
			case !secret.Equal(cc.CodeHash, s.keys.HashCode(cc.ID, presented)):
				result, wrong = errBadResetCode, true
				cc.Failures++
				if cc.Failures >= cc.MaxFailures {
					cc.ConsumedAt = &now
				}
				return cc, nil
			case !now.Before(cc.ExpiresAt):
				result = errResetExpired
			}
			return cc, auth.ErrNoChange
		})
		if err != nil && !errors.Is(err, auth.ErrNoChange) {
			return nil, err
		}
		if result == nil || !wrong {
			return result, nil
		}
		locked, err := lock.Fail(ctx, tx, now)
		if locked != nil {
			result, typ = locked, model.EventLockout
		}
		return result, err
	}, func(st storage.Store, failure error) error {
		if failure == nil {
			return nil // a right code is recorded by the transaction that sets the password
		}
		return s.core.Record(ctx, st, c, auth.Event{Type: typ, Method: "password_reset", UserID: code.UserID, Attrs: attrs, Err: failure}, now)
	})
	if err != nil {
		return fault.Wrap(err, "check reset code")
	}
	return result
}
