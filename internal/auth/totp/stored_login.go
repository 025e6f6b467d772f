package totp

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// storedCredentialLogin is a login by a secret checked against a user's stored credentials:
// a TOTP code or a recovery code.
type storedCredentialLogin struct {
	kind       string // names the lockout and failure counter: "totp" or "rec"
	method     string // the amr value of a success
	idType     string
	identifier string
	login      auth.Login
	invalid    *fault.Error // the answer to a wrong secret and to an unknown user alike
	// check reports whether the secret matches one of the user's credentials and, when it
	// does, spends what it matched. It runs inside the login's transaction. For a stand-in
	// (standIn set; see standInUsers) it reads the user's credentials, ignores them and checks
	// the secret against credentialDecoys: the same work, and never a match.
	check func(ctx context.Context, tx storage.Store, user model.User, prefs model.TOTPPreferences, now time.Time, standIn bool) (bool, error)
	// approval, when set, returns the approval_data the successful check approved (a TOTP
	// transaction's), for the ID token.
	approval func() []byte
}

// loginWithStoredCredential runs such a login in one write transaction: the lockout check,
// the user lookup, the check, the failure count (rate_limits.failuresPerIdentifier, then a
// lockout of totp.lockoutDuration) or the session and refresh token, and the audit event.
// An unknown user, a user of another application and a wrong secret fail alike.
func (s *Service) loginWithStoredCredential(ctx context.Context, c model.Caller, in storedCredentialLogin) (auth.TokenResponse, error) {
	norm, err := directory.NormalizeIdentifier(in.idType, in.identifier)
	if err != nil {
		return auth.TokenResponse{}, fault.Validation("identifier: " + err.Error())
	}
	// The kind keeps TOTP and recovery-code failures apart from each other and from OTPs, so
	// that guessing at one method does not lock the user out of the others.
	identifierKey := in.kind + ":" + in.idType + ":" + norm
	now := s.core.Now()
	var is auth.Issued
	var failure error
	var userID string
	// A failure is answered on the grid when the application hides who exists: a wrong secret
	// for a real user and any secret for nobody must leave alike.
	pace := s.core.PaceAnswers()
	defer pace.Hold(ctx)
	hide := false
	attempt := func(tx auth.AttemptTx) error {
		failure, userID = nil, ""
		app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
		if err != nil {
			return err
		}
		hide = app.EnumerationProtection
		prefs := app.Preferences.Normalized()
		user, found, linked, standIn, err := s.storedCredentialUser(ctx, tx, c, app, in.kind, in.idType, norm)
		if err != nil {
			return err
		}
		// A user's identifiers share one failure budget and lockout; a name that is nobody's
		// has its own, with the same limits.
		key := identifierKey
		if found {
			key = in.kind + ":user:" + user.ID
		}
		lock := auth.Lockout{Caller: c, Keys: []string{key}, Counter: key, Policy: auth.Budget{Limits: prefs.Limits, Minutes: prefs.TOTP.LockoutDuration}}
		if failure, err = lock.Check(ctx, tx, now); err != nil || failure != nil {
			return err
		}
		// Nobody's name is checked too, with a stand-in's reads and decoy credentials, so that
		// a wrong secret takes as long for a name that is nobody's as for a real user's.
		checked := model.User{ID: standIn, TenantID: c.TenantID}
		if found {
			userID, checked = user.ID, user
		}
		ok, err := in.check(ctx, tx, checked, prefs.TOTP, now, !found)
		if err != nil {
			return err
		}
		ok = ok && found
		if !ok {
			failure = in.invalid
			locked, err := lock.Fail(ctx, tx, now)
			if locked != nil {
				failure = locked
			}
			return err
		}
		if user.Status != model.UserActive {
			// The secret was right and stays spent; the account is what refuses.
			failure = fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
			return nil
		}
		if !linked {
			err := tx.LinkUser(ctx, model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: user.ID, CreatedAt: now, Adopted: true})
			if err != nil {
				return err
			}
		}
		if err := lock.Clear(ctx, tx); err != nil {
			return err
		}
		g := auth.Grant{Caller: c, User: user, Method: in.method, Login: in.login}
		if in.approval != nil {
			g.Approval = in.approval()
		}
		is, err = s.core.RecordLogin(ctx, tx, g, now)
		return err
	}
	// A wrong guess's count commits even if its audit event cannot be written.
	failure, err = s.core.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		err := attempt(tx)
		return failure, err
	}, func(st storage.Store, failure error) error {
		return s.core.Record(ctx, st, c, auth.LoginEvent(in.method, userID, in.login.ClientAttributes, failure, is), now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "authenticate "+in.kind)
	}
	if failure != nil {
		pace.On = hide
		return auth.TokenResponse{}, failure
	}
	return s.core.Sign(ctx, is, in.login.Claims, now)
}

// storedCredentialUser finds the user an identifier names. found is false for an unknown user
// and for a user not linked to the caller's application, unless the application allows public
// sign-up: then an existing user of the tenant may log in, and is linked on success (linked
// false). standIn is the id whose reads stand in for an unknown user's (see standInUsers).
func (s *Service) storedCredentialUser(ctx context.Context, tx storage.Store, c model.Caller, app model.Application,
	flow, idType, norm string) (u model.User, found, linked bool, standIn string, err error) {
	u, err = s.core.Lookup(ctx, tx, c, flow, idType, norm)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return u, false, false, "", err
	}
	// The application link is read whether or not someone has the identifier (for nobody, a
	// stand-in's, ignored), so that the lookup takes as long either way.
	unknown := err != nil
	standIn = s.core.SubjectID(c, flow, u, err)
	_, err = tx.GetAppUser(ctx, c.TenantID, c.AppID, standIn)
	if unknown && (err == nil || errors.Is(err, storage.ErrNotFound)) {
		return model.User{}, false, false, standIn, nil
	}
	switch {
	case err == nil:
		s.core.RememberStandIn(c, flow, u.ID)
		return u, true, true, standIn, nil
	case errors.Is(err, storage.ErrNotFound):
		return u, app.AllowPublicSignup, false, standIn, nil
	}
	return u, false, false, standIn, err
}
