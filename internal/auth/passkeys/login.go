package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasskeyAuthenticate finishes a passkey login.
type PasskeyAuthenticate struct {
	EncodedResult string
	// SessionID is the ceremony id when the caller passes it beside the encoded result.
	SessionID string
	auth.Login
}

// passkeyAttempt is what one login attempt decided, for its audit events.
type passkeyAttempt struct {
	is      auth.Issued
	failure error
	userID  string
	reason  string // why it failed, for the audit event only
	clone   map[string]any
	// ticket is the cross-device ticket the ceremony belongs to, once held (holdTicket).
	ticket string
}

// Authenticate finishes a passkey login: it spends the ceremony, verifies the assertion, and
// on success creates the session (or adds the factor to the given one) and returns tokens,
// all in one transaction, as the OTP login does. Every failure, whatever its reason, answers
// auth_invalid_credentials and counts against the credential's user, who is locked out at
// rate_limits.failuresPerIdentifier for webauthn_api.lockoutDuration.
func (p *Service) Authenticate(ctx context.Context, c model.Caller, req PasskeyAuthenticate) (auth.TokenResponse, error) {
	id, response, problems := decodeResult(req.EncodedResult, req.SessionID)
	if len(problems) > 0 {
		return auth.TokenResponse{}, fault.Validation(problems...)
	}
	s := p.s
	now := s.Now()
	var a passkeyAttempt
	// A failed login's count and spent ceremony commit even if its audit events cannot be
	// written.
	failure, err := s.SettleAttempt(ctx, func(tx auth.AttemptTx) (error, error) {
		a = passkeyAttempt{}
		err := p.attemptLogin(ctx, tx, c, id, response, req.Login, now, &a)
		if err == nil && a.ticket != "" {
			// A cross-device login ends its flow with the outcome, in the same transaction.
			err = endTicket(ctx, tx, c.TenantID, a.ticket, a.failure == nil, a.is.Session.ID, now)
		}
		return a.failure, err
	}, func(st storage.Store, failure error) error {
		if a.clone != nil {
			ev := auth.Event{Type: model.EventWebAuthnCloneWarning, Method: model.AMRWebAuthn, UserID: a.userID, Attrs: req.ClientAttributes, Err: failure, Details: a.clone}
			if err := s.Record(ctx, st, c, ev, now); err != nil {
				return err
			}
		}
		ev := auth.LoginEvent(model.AMRWebAuthn, a.userID, req.ClientAttributes, failure, a.is)
		if failure != nil && a.reason != "" {
			ev.Details = map[string]any{"reason": a.reason}
		}
		return s.Record(ctx, st, c, ev, now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "authenticate passkey")
	}
	if failure != nil {
		return auth.TokenResponse{}, failure
	}
	return s.Sign(ctx, a.is, req.Claims, now)
}

// attemptLogin runs the checks of one passkey login inside its transaction. A refusal is set
// on a (and committed with the spent ceremony and the counted failure); a returned error
// aborts the transaction.
func (p *Service) attemptLogin(ctx context.Context, tx auth.AttemptTx, c model.Caller, id string, response []byte, login auth.Login, now time.Time, a *passkeyAttempt) error {
	fail := func(err error, reason string) error {
		a.failure, a.reason = err, reason
		return nil
	}
	code, cer, err := p.redeem(ctx, tx, c, id, model.PurposeWebAuthnLogin, flowLogin, "", now)
	if err != nil {
		failure, abort := splitFailure(err)
		a.failure = failure
		return abort
	}
	a.userID = code.UserID
	if cer.Ticket != "" {
		if err := holdTicket(ctx, tx, c.TenantID, cer.Ticket, id, now); err != nil {
			failure, abort := splitFailure(err)
			a.failure = failure
			return abort
		}
		a.ticket = cer.Ticket
	}
	app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return err
	}
	all := app.Preferences.Normalized()
	w := all.WebAuthn
	claim, err := p.v.ReadAssertion(response)
	if err != nil {
		return fail(errPasskeyInvalid, "unreadable assertion: "+err.Error())
	}
	if cer.Decoy {
		// Failures on a login started for an unknown user count against its identifier, with
		// a real user's limits, so that the lockout says nothing about who exists.
		return p.decoyFailure(ctx, tx, c, all, code.Identifier, now, a)
	}
	cred, err := tx.GetCredentialByLookup(ctx, c.TenantID, model.CredentialWebAuthn, credentialKey(claim.CredentialID))
	if errors.Is(err, storage.ErrNotFound) {
		return fail(errPasskeyInvalid, "unknown credential")
	} else if err != nil {
		return err
	}
	if code.UserID != "" && cred.UserID != code.UserID {
		return fail(errPasskeyInvalid, "the credential is not one of the named user's")
	}
	a.userID = cred.UserID
	lock := auth.Lockout{Caller: c, Keys: []string{"webauthn:user:" + cred.UserID}, Counter: "webauthn:" + cred.UserID,
		Policy: auth.Budget{Limits: all.Limits, Minutes: w.LockoutDuration}}
	if locked, err := lock.Check(ctx, tx, now); err != nil {
		return err
	} else if locked != nil {
		return fail(locked, "")
	}
	_, owned, err := userPasskeys(ctx, tx, c.TenantID, cred.UserID, cer.RP.ID)
	if err != nil {
		return err
	}
	data, err := decodePasskey(cred)
	if err != nil {
		return fault.Wrap(err, "read passkey")
	}
	verified, verr := p.v.VerifyAssertion(cer.RP, cer.State, []byte(cred.UserID), owned, response)
	reason := ""
	switch {
	case !boundTo(cred, data, cer.RP.ID):
		// Counted as a failed login: only an authenticator that signs for any relying party
		// presents a passkey here that was registered under another.
		reason = "the passkey was registered under another relying party"
	case verr != nil:
		reason = verr.Error()
	case cer.RP.UserVerification == model.UVRequired && verified.Flags&flagUserVerified == 0:
		reason = "user verification was required but not performed"
	}
	if reason == "" {
		if err := authenticatorAllowed(w, data.AAGUID, verified.Flags); err != nil {
			return fail(err, "")
		}
		if reason, err = p.advanceCounter(ctx, tx, cred, cer.RP.ID, verified, now, a); err != nil {
			return err
		}
	}
	if reason != "" {
		a.failure, a.reason = errPasskeyInvalid, reason
		locked, err := lock.Fail(ctx, tx, now)
		if locked != nil {
			a.failure = locked
		}
		return err
	}
	user, err := p.passkeyUser(ctx, tx, c, app, cred.UserID, now)
	if err != nil {
		failure, abort := splitFailure(err)
		a.failure = failure
		return abort
	}
	// What the login asks for beyond the passkey is checked before it is recorded: refused
	// here, the refusal commits with the spent ceremony, where one from RecordLogin would
	// undo the spending and leave the assertion usable again.
	if err := p.s.LoginAllowed(ctx, tx, c, user.ID, login, now); err != nil {
		failure, abort := splitFailure(err)
		a.failure = failure
		return abort
	}
	if err := lock.Clear(ctx, tx); err != nil {
		return err
	}
	a.is, err = p.s.RecordLogin(ctx, tx, auth.Grant{Caller: c, User: user, Method: model.AMRWebAuthn, Login: login, Approval: code.ApprovalData}, now)
	return err
}

// decoyFailure refuses a passkey login started for an unknown user, locked or counted as a
// real user's failed login would be, against the identifier the login named.
func (p *Service) decoyFailure(ctx context.Context, tx auth.AttemptTx, c model.Caller, all model.LoginPreferences, identifier string, now time.Time, a *passkeyAttempt) error {
	a.failure, a.reason = errPasskeyInvalid, "the login was started for an unknown user"
	key := "webauthn:id:" + identifier
	lock := auth.Lockout{Caller: c, Keys: []string{key}, Counter: key, Policy: auth.Budget{Limits: all.Limits, Minutes: all.WebAuthn.LockoutDuration}}
	locked, err := lock.Check(ctx, tx, now)
	if err == nil && locked == nil {
		locked, err = lock.Fail(ctx, tx, now)
	}
	if locked != nil {
		a.failure = locked
	}
	return err
}

// advanceCounter stores a verified assertion's counter and flags on the credential, and
// detects a counter that went backwards, checked against the stored value inside the update
// so that concurrent logins cannot both pass. It returns the reason of a refusal.
func (p *Service) advanceCounter(ctx context.Context, tx storage.Store, cred model.Credential, rpID string, v VerifiedAssertion, now time.Time, a *passkeyAttempt) (string, error) {
	var reason string
	err := tx.UpdateCredential(ctx, cred.TenantID, cred.ID, func(cur model.Credential) (model.Credential, error) {
		reason, a.clone = "", nil
		d, err := decodePasskey(cur)
		if err != nil {
			return cur, err
		}
		if cloned(d.SignCount, v.SignCount) {
			reason = "the signature counter did not advance: the authenticator may be cloned"
			a.clone = map[string]any{"credential_id": cur.LookupKey, "stored_sign_count": d.SignCount, "sign_count": v.SignCount}
			return cur, auth.ErrNoChange
		}
		d.SignCount = v.SignCount
		// The backup state may change between logins; user verification at registration
		// stays as recorded, as the specification's credential record keeps it.
		d.Flags = v.Flags&^flagUserVerified | d.Flags&flagUserVerified
		if cur.Data, err = json.Marshal(d); err != nil {
			return cur, err
		}
		cur.LastUsedAt, cur.UpdatedAt = &now, now
		if cur.RPID == "" {
			// A passkey from before bindings were stored, just judged by its attestation
			// (boundTo): from now on its binding is stored.
			cur.RPID = rpID
		}
		return cur, nil
	})
	if errors.Is(err, auth.ErrNoChange) {
		err = nil
	}
	return reason, err
}

// passkeyUser returns the active user a passkey logs in, linking them to the application on
// a public sign-up application; a user of another application cannot log in here.
func (p *Service) passkeyUser(ctx context.Context, tx storage.Store, c model.Caller, app model.Application, userID string, now time.Time) (model.User, error) {
	u, err := tx.GetUser(ctx, c.TenantID, userID)
	if errors.Is(err, storage.ErrNotFound) {
		return u, errPasskeyInvalid
	} else if err != nil {
		return u, err
	}
	if u.Status != model.UserActive {
		return u, errUserNotActive
	}
	_, err = tx.GetAppUser(ctx, c.TenantID, c.AppID, userID)
	switch {
	case err == nil:
		return u, nil
	case !errors.Is(err, storage.ErrNotFound):
		return u, err
	case !app.AllowPublicSignup:
		return u, errPasskeyInvalid
	}
	return u, tx.LinkUser(ctx, model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: userID, CreatedAt: now, Adopted: true})
}
