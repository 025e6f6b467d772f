package auth

import (
	"bytes"
	"context"
	"errors"
	"time"

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
	now := s.now()
	if code.ID == "" || code.ConsumedAt != nil {
		return errBadResetCode
	}
	if !secret.Equal(code.CodeHash, s.keys.HashCode(code.ID, presented)) {
		return s.resetCodeFailed(ctx, c, code, req.ClientAttributes, now)
	}
	if !now.Before(code.ExpiresAt) {
		return errResetExpired
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	prefs := app.Preferences.Normalized().Password
	u, err := s.store.GetUser(ctx, c.TenantID, code.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return errBadResetCode
	} else if err != nil {
		return fault.Wrap(err, "get user")
	}
	if u.Status != model.UserActive {
		return fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	cur, found, err := passwordOf(ctx, s.store, c.TenantID, u.ID)
	if err != nil {
		return err
	}
	if !found {
		return errNoPassword
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
		err = tx.UpdateCredential(ctx, c.TenantID, cur.ID, func(cc model.Credential) (model.Credential, error) {
			if !bytes.Equal(cc.Secret, cur.Secret) {
				return cc, fault.New(fault.Conflict, fault.CodeConflict, "the password changed meanwhile; ask for a new reset code")
			}
			cc.Secret, cc.Data, cc.UpdatedAt = next.Secret, next.Data, now
			return cc, nil
		})
		if err != nil {
			return err
		}
		return s.passwordChanged(ctx, tx, c, u, "reset", "", now)
	})
	return asFault(err, "complete password reset")
}

// findResetCode returns the reset code a request presents, and the secret to compare: a
// link's code names its record; a typed code is the latest one sent to the identifier. A
// missing code is the zero value.
func (s *Service) findResetCode(ctx context.Context, c model.Caller, req PasswordResetComplete) (model.OneTimeCode, string, error) {
	var p []string
	id, linkSecret, isLink := splitResetCode(req.Code)
	if req.Code == "" {
		p = append(p, "code is required")
	} else if len(req.Code) > maxCodeLen {
		return model.OneTimeCode{}, "", errBadResetCode
	}
	if !isLink || req.IdentifierType != "" || req.Identifier != "" {
		p = append(p, validateIdentifier(req.IdentifierType, req.Identifier)...)
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

// resetCodeFailed counts a wrong code against its record, spending it at its limit, and
// records the failure.
func (s *Service) resetCodeFailed(ctx context.Context, c model.Caller, code model.OneTimeCode, attrs model.ClientAttributes, now time.Time) error {
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		err := tx.UpdateCode(ctx, c.TenantID, code.ID, func(cc model.OneTimeCode) (model.OneTimeCode, error) {
			if cc.ConsumedAt != nil {
				return cc, errNoChange
			}
			cc.Failures++
			if cc.Failures >= cc.MaxFailures {
				cc.ConsumedAt = &now
			}
			return cc, nil
		})
		if err != nil && !errors.Is(err, errNoChange) {
			return err
		}
		return s.record(ctx, tx, c, event{typ: model.EventLoginFailed, method: "password_reset", userID: code.UserID,
			attrs: attrs, err: errBadResetCode}, now)
	})
	if err != nil {
		return fault.Wrap(err, "count reset code failure")
	}
	return errBadResetCode
}
