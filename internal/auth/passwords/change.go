package passwords

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/storage"
)

// ChangePassword replaces a password proven by the current one, which may be temporary or
// expired (but not a temporary one past its validity), and logs the user in with the new one.
// A wrong current password counts towards the lockout exactly as a failed login does. The new
// password must satisfy the application's policy and differ from the current one and from the
// blockPreviousPasswords most recent. The user's other sessions end.
func (s *Service) ChangePassword(ctx context.Context, c model.Caller, req PasswordChange) (auth.TokenResponse, error) {
	p := passwordLoginProblems(req.Username, req.UsernameType, req.CurrentPassword, "current_password")
	if err := password.CheckForm("new_password", req.NewPassword); err != nil {
		p = append(p, fault.As(err).Details...)
	}
	if len(p) > 0 {
		return auth.TokenResponse{}, fault.Validation(p...)
	}
	prefs, n, ok, _, now, err := s.presentPassword(ctx, c, req.UsernameType, req.Username, req.CurrentPassword, req.ClientAttributes)
	if err != nil {
		return auth.TokenResponse{}, err
	}
	var next model.Credential
	if ok {
		d, err := password.ParseData(n.cred.Data)
		if err != nil {
			return auth.TokenResponse{}, fault.Wrap(err, "change password")
		}
		if d.StateAt(prefs, now) == password.TemporaryExpired {
			return auth.TokenResponse{}, errTempExpired
		}
		in := password.Input{Password: req.NewPassword, Subject: password.Subject{Username: n.user.Username, Email: n.user.Email}}
		if next, err = password.Shared().Replace(ctx, n.cred, in, prefs, true, now); err != nil {
			return auth.TokenResponse{}, err
		}
	}
	replace := func(cur model.Credential, d password.Data) (model.Credential, error) {
		if d.StateAt(prefs, now) == password.TemporaryExpired {
			return cur, errTempExpired
		}
		cur.Secret, cur.Data = next.Secret, next.Data
		return cur, nil
	}
	// The other sessions end with the change; the caller's own session, if it names one, stays.
	then := func(tx auth.AttemptTx) error {
		keep, _ := s.core.SessionKey(req.SessionID)
		return s.passwordChanged(ctx, tx, c, n.user, "change", keep, now)
	}
	return s.settleLogin(ctx, c, prefs, n, ok, replace, then, req.Login, now, "change password")
}

// passwordChanged records a new password: it ends the user's sessions but keep, with their
// refresh tokens, spends the user's pending reset codes and lifts their password lockouts in
// the caller's application, and writes the audit event.
func (s *Service) passwordChanged(ctx context.Context, tx storage.Store, c model.Caller, u model.User, how, keep string, now time.Time) error {
	if err := s.endOtherSessions(ctx, tx, c, u.ID, keep, "password_"+how, now); err != nil {
		return err
	}
	ids := map[string]string{model.IdentifierUserID: u.ID, model.IdentifierUsername: u.Username,
		model.IdentifierEmail: u.Email, model.IdentifierPhone: u.PhoneNumber}
	for typ, v := range ids {
		if v == "" {
			continue
		}
		if _, err := tx.SpendCodes(ctx, c.TenantID, c.AppID, model.PurposePasswordReset, typ+":"+v, now); err != nil {
			return err
		}
	}
	if err := unlockUser(ctx, tx, c, u); err != nil {
		return err
	}
	return s.core.Record(ctx, tx, c, auth.Event{Type: model.EventPasswordChanged, Method: how, UserID: u.ID}, now)
}
