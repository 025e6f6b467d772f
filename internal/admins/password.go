package admins

import (
	"context"
	"strings"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// PasswordStep is the first step of a sign-in by password and TOTP: the management
// application's password login, with its lockouts, attempt limits and audit events. It
// returns the id of the session the login began, which proves only a password and so is no
// portal session (Session refuses it) until TOTPStep adds the second factor. The portal keeps
// the id sealed in the browser between the two steps.
func (s *Service) PasswordStep(ctx context.Context, tenantID, email, password string, attrs model.ClientAttributes) (string, error) {
	if err := s.offers(ctx, tenantID, model.AdminSignInPasswordAndTOTP); err != nil {
		return "", err
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return "", err
	}
	tr, err := s.passwords.AuthenticatePassword(ctx, c, passwords.PasswordAuthenticate{Username: strings.TrimSpace(email),
		UsernameType: model.IdentifierEmail, Password: password, Login: auth.Login{ClientAttributes: attrs}})
	if err != nil {
		return "", err
	}
	return tr.SessionID, nil
}

// TOTPStep finishes a sign-in by password and TOTP: the management application's TOTP login
// adds its factor to the session PasswordStep began (so TOTP's own limits and replay rules
// apply), and the session then becomes the administrator's portal session, as SignIn's does.
func (s *Service) TOTPStep(ctx context.Context, tenantID, email, passwordSessionID, code string, attrs model.ClientAttributes) (Admin, string, error) {
	if err := s.offers(ctx, tenantID, model.AdminSignInPasswordAndTOTP); err != nil {
		return Admin{}, "", err
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return Admin{}, "", err
	}
	tr, err := s.totp.AuthenticateTOTP(ctx, c, totp.TOTPAuthenticate{Token: strings.TrimSpace(code), IdentifierType: model.IdentifierEmail,
		Identifier: strings.TrimSpace(email), Login: auth.Login{SessionID: passwordSessionID, ClientAttributes: attrs}})
	if err != nil {
		return Admin{}, "", err
	}
	return s.finishSignIn(ctx, c, tr.SessionID)
}

// finishSignIn turns the session a login made into a portal session, or ends it: its user
// must hold the admin role, and its factors must make one of the offered methods.
func (s *Service) finishSignIn(ctx context.Context, c model.Caller, sessionID string) (Admin, string, error) {
	ref, _ := s.core.SessionKey(sessionID)
	sess, err := s.store.GetSession(ctx, c.TenantID, ref)
	if err != nil {
		return Admin{}, "", fault.Wrap(err, "get session")
	}
	ok, err := s.isAdmin(ctx, c, sess.UserID)
	if err != nil {
		return Admin{}, "", err
	}
	offered, err := s.SignInMethods(ctx, c.TenantID)
	if err != nil {
		return Admin{}, "", err
	}
	if !ok || !satisfies(sess.Factors, offered) {
		_ = s.sessions.Logout(ctx, c, sessionID)
		return Admin{}, "", errNotAdmin
	}
	a, err := s.admin(ctx, c, sess)
	return a, sessionID, err
}

// SetPassword gives the administrator a password of the management application, or replaces
// theirs, under the application's complexity policy.
func (s *Service) SetPassword(ctx context.Context, a Admin, password string, attrs model.ClientAttributes) error {
	err := s.passwords.RegisterPassword(ctx, a.Caller, passwords.PasswordRegister{UserID: a.UserID, Password: password, EnforceComplexity: true})
	if fault.Is(err, fault.Conflict) {
		err = s.passwords.SetPassword(ctx, a.Caller, passwords.PasswordSet{UserID: a.UserID, Password: password, EnforceComplexity: true})
	}
	if err != nil {
		return err
	}
	return s.Record(ctx, a, "account.set_password", a.UserID, attrs, nil)
}

// StartTOTP enrols a new, unconfirmed TOTP authenticator for the administrator and returns
// what their app needs (shown once).
func (s *Service) StartTOTP(ctx context.Context, a Admin) (totp.TOTPEnrolment, error) {
	return s.totp.EnrolTOTP(ctx, a.Caller, a.UserID, totp.TOTPEnrol{Name: "Admin portal"})
}

// ConfirmTOTP confirms the administrator's new authenticator with a first code from it.
func (s *Service) ConfirmTOTP(ctx context.Context, a Admin, totpID, code string, attrs model.ClientAttributes) error {
	if _, err := s.totp.ConfirmTOTP(ctx, a.Caller, a.UserID, totpID, strings.TrimSpace(code)); err != nil {
		return err
	}
	return s.Record(ctx, a, "account.add_totp", a.UserID, attrs, map[string]any{"totp_id": totpID})
}

// Account is what the administrator has set up to sign in with.
type Account struct {
	HasPassword bool
	TOTP        []totp.TOTPCredential
	Passkeys    int
}

// Account lists what the administrator has set up.
func (s *Service) Account(ctx context.Context, a Admin) (Account, error) {
	var acc Account
	pw, err := s.store.ListCredentials(ctx, a.Caller.TenantID, a.UserID, model.CredentialPassword)
	if err != nil {
		return acc, fault.Wrap(err, "list credentials")
	}
	pk, err := s.store.ListCredentials(ctx, a.Caller.TenantID, a.UserID, model.CredentialWebAuthn)
	if err != nil {
		return acc, fault.Wrap(err, "list credentials")
	}
	acc.HasPassword, acc.Passkeys = len(pw) > 0, len(pk)
	acc.TOTP, err = s.totp.ListTOTP(ctx, a.Caller, a.UserID)
	return acc, err
}
