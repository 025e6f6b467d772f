package admins

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// SendCode emails a sign-in passcode to an administrator of the tenant. It is the management
// application's email OTP send: an address that is nobody's gets the same answer after the
// same work (the application's enumeration protection), and the send limits apply.
func (s *Service) SendCode(ctx context.Context, tenantID, email string, attrs model.ClientAttributes) error {
	if err := s.offers(ctx, tenantID, model.AdminSignInEmailCode); err != nil {
		return err
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return err
	}
	_, err = s.otp.SendOTP(ctx, c, otp.OTPSend{Channel: model.ChannelEmail, IdentifierType: model.IdentifierEmail,
		Identifier: email, ClientAttributes: attrs})
	// Without the management application's enumeration protection the send tells unknown and
	// inactive users apart; the sign-in page must not, so it answers as if a code was sent.
	// (With the protection on, which the portal recommends, the core sends a decoy and the
	// answers also take the same time.)
	if fe := fault.As(err); err != nil && (fe.Code == fault.CodeUserNotFound || fe.Code == fault.CodeUserNotActive) {
		return nil
	}
	return err
}

// SignIn redeems a passcode sent by SendCode and returns the administrator and the new
// session's id, which the portal keeps in its cookie. A user who signs in but does not hold
// the admin role has their session ended at once.
func (s *Service) SignIn(ctx context.Context, tenantID, email, code string, attrs model.ClientAttributes) (Admin, string, error) {
	if err := s.offers(ctx, tenantID, model.AdminSignInEmailCode); err != nil {
		return Admin{}, "", err
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return Admin{}, "", err
	}
	tr, err := s.otp.AuthenticateOTP(ctx, c, otp.OTPAuthenticate{Passcode: strings.TrimSpace(code),
		IdentifierType: model.IdentifierEmail, Identifier: email, Login: auth.Login{ClientAttributes: attrs}})
	if err != nil {
		return Admin{}, "", err
	}
	return s.finishSignIn(ctx, c, tr.SessionID)
}

func (s *Service) admin(ctx context.Context, c model.Caller, sess model.Session) (Admin, error) {
	u, err := s.store.GetUser(ctx, c.TenantID, sess.UserID)
	if err != nil {
		return Admin{}, fault.Wrap(err, "get user")
	}
	return Admin{UserID: u.ID, Email: u.Email, SessionRef: sess.ID, Caller: c, SignedInAt: sess.CreatedAt}, nil
}

// Session returns the administrator a portal session id belongs to, and records its use. It
// fails with ErrSignedOut when the session is unknown or ended, has been idle for longer than
// the idle timeout, began longer ago than the absolute limit, belongs to another application,
// or its user no longer holds the admin role.
func (s *Service) Session(ctx context.Context, tenantID, sessionID string) (Admin, error) {
	ref, ok := s.core.SessionKey(sessionID)
	if !ok || !model.ValidID(tenantID) {
		return Admin{}, ErrSignedOut
	}
	now := s.core.Now()
	// One conditional write checks that the session is active and not idle, and marks it used.
	sess, err := s.store.TouchSession(ctx, tenantID, ref, now, now.Add(-s.opts.IdleTimeout))
	if errors.Is(err, storage.ErrNotFound) {
		return Admin{}, ErrSignedOut
	}
	if err != nil {
		return Admin{}, fault.Wrap(err, "touch session")
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return Admin{}, err
	}
	if sess.AppID != c.AppID || !now.Before(sess.CreatedAt.Add(s.opts.MaxAge)) {
		return Admin{}, ErrSignedOut
	}
	if ok, err := s.isAdmin(ctx, c, sess.UserID); err != nil {
		return Admin{}, err
	} else if !ok {
		return Admin{}, ErrSignedOut
	}
	// A session that proved only part of a method (a password without its TOTP code), or
	// began by a method the tenant no longer offers, is not a portal session.
	offered, err := s.SignInMethods(ctx, tenantID)
	if err != nil {
		return Admin{}, err
	}
	if !satisfies(sess.Factors, offered) {
		return Admin{}, ErrSignedOut
	}
	return s.admin(ctx, c, sess)
}

// SignOut ends the administrator's session (and records it, as every logout is).
func (s *Service) SignOut(ctx context.Context, a Admin, sessionID string) error {
	err := s.sessions.Logout(ctx, a.Caller, sessionID)
	if errors.Is(err, auth.ErrSessionNotFound) {
		return nil
	}
	return err
}

// CSRFToken is the token every form of a session must carry to change anything: a keyed hash
// of the session id, so it needs no storage, differs for every session, and cannot be
// computed by anyone who does not hold both the id and the server's key.
func (s *Service) CSRFToken(sessionID string) string {
	return base64.RawURLEncoding.EncodeToString(s.core.Keys().HashCode("admin-portal-csrf", sessionID))
}

// CheckCSRF compares a form's token with the session's in constant time.
func (s *Service) CheckCSRF(sessionID, token string) bool {
	want := s.CSRFToken(sessionID)
	return token != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}
