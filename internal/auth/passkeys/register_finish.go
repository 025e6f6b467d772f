package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasskeyRegistration finishes a registration.
type PasskeyRegistration struct {
	EncodedResult string
	// SessionID is the ceremony id when the caller passes it beside the encoded result.
	SessionID string
	// ExternalUserID, when given, must be the external id the registration was started for.
	ExternalUserID string
	// UserEmail is set, unverified, on a user the registration creates.
	UserEmail string
	// Name labels the new passkey in the credentials API; empty means "Passkey".
	Name             string
	ClientAttributes model.ClientAttributes
}

// PasskeyRegistered is a finished registration.
type PasskeyRegistered struct {
	SessionID    string // the ceremony's id
	UserID       string
	UserName     string // the account name the authenticator shows (Mosaic's webauthn_username)
	CredentialID string // base64url
	NewUser      bool
}

const defaultPasskeyName = "Passkey"

var errUserTaken = fault.New(fault.Conflict, fault.CodeUserExists, "another user already has this external_user_id or user_email")

// FinishExternalRegistration verifies and stores a passkey registered for a user the calling
// backend named, creating that user when the registration was started for an unknown
// external id (Mosaic's external registration).
func (p *Service) FinishExternalRegistration(ctx context.Context, c model.Caller, req PasskeyRegistration) (PasskeyRegistered, error) {
	return p.finishRegistration(ctx, c, "", flowExternal, req)
}

// FinishSelfRegistration verifies and stores a passkey the logged-in user of u registered.
func (p *Service) FinishSelfRegistration(ctx context.Context, u auth.UserCaller, req PasskeyRegistration) (PasskeyRegistered, error) {
	return p.finishRegistration(ctx, u.Caller, u.UserID, flowSelf, req)
}

// registration is what one registration attempt decided, for its audit event.
type registration struct {
	out     PasskeyRegistered
	failure error
	details map[string]any
	ticket  string // the cross-device ticket the ceremony belongs to, once held
}

func (p *Service) finishRegistration(ctx context.Context, c model.Caller, self, flow string, req PasskeyRegistration) (PasskeyRegistered, error) {
	id, response, problems := decodeResult(req.EncodedResult, req.SessionID)
	email, ep := normalizeUserEmail(req.UserEmail)
	problems = append(problems, ep...)
	external := ""
	if req.ExternalUserID != "" {
		var err error
		if external, err = normalizeExternalUserID(req.ExternalUserID); err != nil {
			problems = append(problems, "external_user_id: "+err.Error())
		}
	}
	name := strings.TrimSpace(req.Name)
	if msg := passkeyNameProblem(name); msg != "" && name != "" {
		problems = append(problems, msg)
	}
	if name == "" {
		name = defaultPasskeyName
	}
	if len(problems) > 0 {
		return PasskeyRegistered{}, fault.Validation(problems...)
	}
	s := p.s
	now := s.Now()
	var r registration
	err := p.store.InTx(ctx, func(tx storage.Store) error {
		r = registration{details: map[string]any{"flow": flow}}
		if err := p.attemptRegistration(ctx, tx, c, id, self, flow, response, external, email, name, now, &r); err != nil {
			return err
		}
		if r.ticket != "" {
			r.details["cross_device"] = true
			if err := endTicket(ctx, tx, c.TenantID, r.ticket, r.failure == nil, "", now); err != nil {
				return err
			}
		}
		ev := auth.Event{Type: model.EventWebAuthnRegistration, Method: model.AMRWebAuthn, UserID: r.out.UserID,
			Attrs: req.ClientAttributes, Err: r.failure, Details: r.details}
		return s.Record(ctx, tx, c, ev, now)
	})
	if err != nil {
		return PasskeyRegistered{}, auth.AsFault(err, "register passkey")
	}
	if r.failure != nil {
		return PasskeyRegistered{}, r.failure
	}
	return r.out, nil
}

// attemptRegistration checks a registration and, when every check passes, writes it. A
// refusal is set on r and committed with the spent ceremony; a returned error aborts.
func (p *Service) attemptRegistration(ctx context.Context, tx storage.Store, c model.Caller, id, self, flow string,
	response []byte, external, email, name string, now time.Time, r *registration) error {
	fail := func(err error) error {
		failure, abort := splitFailure(err)
		r.failure = failure
		if failure != nil {
			r.details["reason"] = failure.Error()
		}
		return abort
	}
	code, cer, err := p.redeem(ctx, tx, c, id, model.PurposeWebAuthnRegister, flow, self, now)
	if err != nil {
		return fail(err)
	}
	if cer.Ticket != "" {
		if err := holdTicket(ctx, tx, c.TenantID, cer.Ticket, id, now); err != nil {
			return fail(err)
		}
		r.ticket = cer.Ticket
	}
	userID := code.UserID
	if userID == "" {
		userID = cer.NewUserID
	}
	r.out = PasskeyRegistered{SessionID: id, UserID: userID, UserName: cer.UserName, NewUser: code.UserID == ""}
	if external != "" && cer.ExternalUserID != "" && external != cer.ExternalUserID {
		return fail(fault.Validation("external_user_id is not the one the registration was started for"))
	}
	app, err := tx.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return err
	}
	w := app.Preferences.Normalized().WebAuthn
	entity := PasskeyUser{Handle: []byte(userID), Name: cer.UserName, DisplayName: cer.DisplayName}
	nk, err := p.v.VerifyRegistration(cer.RP, cer.State, entity, response)
	if err != nil {
		return fail(errRegistration(err.Error()))
	}
	key := credentialKey(nk.ID)
	r.out.CredentialID = key
	r.details["credential_id"], r.details["aaguid"] = key, formatAAGUID(nk.AAGUID)
	r.details["attestation_format"], r.details["backup_eligible"] = nk.AttestationFormat, nk.Flags&flagBackupEligible != 0
	if err := registrationAllowed(w, cer.RP, nk); err != nil {
		return fail(err)
	}
	if _, err := tx.GetCredentialByLookup(ctx, c.TenantID, model.CredentialWebAuthn, key); err == nil {
		return fail(errPasskeyExists)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	user, err := p.registeringUser(ctx, tx, c, code, cer, external, email, now)
	if err != nil {
		return fail(err)
	}
	if !r.out.NewUser {
		// Checked again at the finish: the user may have become shared since the start.
		if _, err := directory.AllowCredential(ctx, tx, c, userID, directory.ByCaller); err != nil {
			return fail(err)
		}
	}
	existing, _, err := userPasskeys(ctx, tx, c.TenantID, userID, cer.RP.ID)
	if err != nil {
		return err
	}
	if !w.ReplaceExistingPasskey && len(existing) >= maxPasskeysPerUser {
		return fail(errPasskeyLimit)
	}
	// Every check passed: from here on an error aborts the whole registration.
	if r.out.NewUser {
		if err := tx.CreateUser(ctx, user); err != nil {
			if errors.Is(err, storage.ErrAlreadyExists) {
				return errUserTaken.With(err)
			}
			return err
		}
	}
	// The user becomes one of the application's, as the users API links the users it creates;
	// a management application has no users of its own.
	if !c.Admin {
		link := model.AppUser{TenantID: c.TenantID, AppID: c.AppID, UserID: userID, CreatedAt: now, Adopted: !r.out.NewUser}
		if err := tx.LinkUser(ctx, link); err != nil {
			return err
		}
	}
	grant, err := directory.AllowCredential(ctx, tx, c, userID, directory.ByCaller)
	if err != nil {
		return err
	}
	if w.ReplaceExistingPasskey {
		for _, old := range existing {
			if err := tx.DeleteCredential(ctx, c.TenantID, old.ID); err != nil {
				return err
			}
		}
		r.details["replaced"] = len(existing)
	}
	return p.storePasskey(ctx, tx, grant, c, userID, name, cer, nk, now)
}

// registeringUser returns the user a registration is for: the existing one, who must still be
// active, or the one it creates (not yet stored), whose identifiers must still be free.
func (p *Service) registeringUser(ctx context.Context, tx storage.Store, c model.Caller, code model.OneTimeCode, cer ceremony, external, email string, now time.Time) (model.User, error) {
	if code.UserID != "" {
		u, err := tx.GetUser(ctx, c.TenantID, code.UserID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return u, errPasskeyUserGone
		case err != nil:
			return u, err
		case u.Status != model.UserActive:
			return u, errUserNotActive
		case external != "" && cer.ExternalUserID == "" && u.ExternalUserID != external:
			return u, fault.Validation("external_user_id is not the external id of the user the registration was started for")
		}
		// Checked again at the finish: the user may have left the application since the start.
		return p.visibleUser(ctx, tx, c, u.ID)
	}
	for field, v := range map[string]string{storage.UserByExternalUserID: cer.ExternalUserID, storage.UserByEmail: email} {
		if v == "" {
			continue
		}
		if _, err := tx.GetUserBy(ctx, c.TenantID, field, v); err == nil {
			return model.User{}, errUserTaken
		} else if !errors.Is(err, storage.ErrNotFound) {
			return model.User{}, err
		}
	}
	return model.User{
		ID: cer.NewUserID, TenantID: c.TenantID, ExternalUserID: cer.ExternalUserID, Email: email,
		Status: model.UserActive, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// storePasskey stores a verified registration as a WebAuthn credential.
func (p *Service) storePasskey(ctx context.Context, tx storage.Store, grant directory.CredentialGrant, c model.Caller, userID, name string,
	cer ceremony, nk NewPasskey, now time.Time) error {
	userName := cer.UserName
	data, err := json.Marshal(passkeyData{
		PublicKey: nk.PublicKey, SignCount: nk.SignCount, AAGUID: formatAAGUID(nk.AAGUID), Transports: nk.Transports,
		Flags: nk.Flags, AttestationFormat: nk.AttestationFormat, AttestationType: nk.AttestationType,
		Attachment: nk.Attachment, UserName: userName, AttestationObject: nk.AttestationObject,
		ClientDataJSON: nk.ClientDataJSON,
	})
	if err != nil {
		return err
	}
	err = grant.Create(ctx, tx, model.Credential{
		ID: model.NewID(), TenantID: c.TenantID, UserID: userID, Type: model.CredentialWebAuthn,
		AppID: c.AppID, RPID: cer.RP.ID,
		LookupKey: credentialKey(nk.ID), Name: name, Data: data, CreatedAt: now, UpdatedAt: now,
	})
	if errors.Is(err, storage.ErrAlreadyExists) {
		return errPasskeyExists.With(err)
	}
	return err
}

// passkeyNameProblem checks a passkey's label.
func passkeyNameProblem(name string) string {
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name) {
		return "name must be 1 to 64 printable characters"
	}
	return ""
}
