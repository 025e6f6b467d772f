package passwords

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasswordResetSend asks for a reset code, or a reset link when RedirectURI is set, to be
// delivered to the user by email or SMS, or returned to the caller (direct).
type PasswordResetSend struct {
	IdentifierType   string
	Identifier       string
	Channel          string
	RedirectURI      string // one of the client's redirect URIs; the link adds ?code=...
	ClientAttributes model.ClientAttributes
}

// PasswordResetSent answers a send. Code or Link is set only for the direct channel.
type PasswordResetSent struct {
	Message string
	Code    string
	Link    string
}

// PasswordResetComplete sets a new password with a reset code. A code from a link identifies
// its user by itself, so the identifier is optional then (and checked when given).
type PasswordResetComplete struct {
	IdentifierType   string
	Identifier       string
	Code             string
	NewPassword      string
	ClientAttributes model.ClientAttributes
}

// CodeResetExpired reports a reset code presented after its expiry.
const CodeResetExpired = "auth_password_reset_expired"

var (
	errBadResetCode = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid reset code, or it was already used")
	errResetExpired = fault.New(fault.Invalid, CodeResetExpired, "reset code expired; ask for a new one")
)

// SendPasswordReset creates a reset code for a user who has a password and queues its
// delivery in the same transaction, spending earlier reset codes. Unknown users, inactive ones
// and users without a password are answered like real ones when the application has
// enumeration protection, and with the error otherwise, as OTP sends are.
func (s *Service) SendPasswordReset(ctx context.Context, c model.Caller, req PasswordResetSend) (PasswordResetSent, error) {
	pace := s.core.PaceAnswers()
	defer pace.Hold(ctx)
	p := auth.ValidateIdentifier(req.IdentifierType, req.Identifier)
	switch req.Channel {
	case model.ChannelEmail, model.ChannelSMS, model.ChannelDirect:
	case "":
		p = append(p, "channel is required")
	default:
		p = append(p, "channel must be one of email, sms, direct")
	}
	if len(p) > 0 {
		return PasswordResetSent{}, fault.Validation(p...)
	}
	if req.Channel == model.ChannelSMS && s.opts.SMSDisabled {
		return PasswordResetSent{}, auth.ErrNoSMSProvider
	}
	norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
	if err != nil {
		return PasswordResetSent{}, fault.Validation("identifier: " + err.Error())
	}
	if req.RedirectURI != "" {
		if err := s.checkRedirect(ctx, c, req.RedirectURI); err != nil {
			return PasswordResetSent{}, err
		}
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return PasswordResetSent{}, fault.Wrap(err, "get application")
	}
	pace.On = app.EnumerationProtection
	all := app.Preferences.Normalized()
	prefs := all.Password
	identifier := req.IdentifierType + ":" + norm
	now := s.core.Now()
	var phone string
	if req.Channel == model.ChannelSMS && req.IdentifierType == model.IdentifierPhone {
		phone = norm
	}
	if err := s.core.CheckSend(ctx, c, all.Limits, identifier, phone, req.ClientAttributes.IPAddress, now); err != nil {
		s.core.RecordLimited(ctx, c, err, req.Channel, req.ClientAttributes)
		return PasswordResetSent{}, err
	}
	u, err := s.resetUser(ctx, c, req.IdentifierType, norm)
	if err == nil {
		// A user without the channel's address is refused below, or, under enumeration
		// protection, answered with the decoy: the refusal would tell that the user exists.
		_, err = resetDestination(req.Channel, u)
	}
	if err != nil {
		if app.EnumerationProtection && !fault.Is(err, fault.Internal) {
			return s.decoyReset(ctx, c, req, app.Name, all, identifier, phone, now)
		}
		return PasswordResetSent{}, err
	}
	dest, err := resetDestination(req.Channel, u)
	if err != nil {
		return PasswordResetSent{}, err
	}
	if req.Channel == model.ChannelSMS && phone == "" {
		// The profile's number, known only now, counts against its prefix's limit.
		if err := s.core.CheckPhonePrefix(ctx, c, all.Limits, dest, now); err != nil {
			s.core.RecordLimited(ctx, c, err, req.Channel, req.ClientAttributes)
			return PasswordResetSent{}, err
		}
	}
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: u.ID,
		Purpose: model.PurposePasswordReset, Channel: req.Channel, IdentifierType: req.IdentifierType,
		Identifier: identifier, Destination: dest, MaxFailures: prefs.MaxPasswordFailures,
		ExpiresAt: now.Add(time.Duration(prefs.ResetValidityMinutes) * time.Minute), CreatedAt: now,
	}
	rc := resetContent{appName: app.Name, minutes: prefs.ResetValidityMinutes, language: s.core.LanguageOf(ctx, c.TenantID, u)}
	out := PasswordResetSent{Message: resetSentMessage(req)}
	if req.RedirectURI != "" {
		linkSecret := secret.NewLinkCode()
		rec.CodeHash = s.keys.HashCode(rec.ID, linkSecret)
		if rc.link, err = auth.BuildLink(req.RedirectURI, rec.ID+"."+linkSecret, ""); err != nil {
			return PasswordResetSent{}, fault.Wrap(err, "build link")
		}
		out.Link = rc.link
	} else {
		rc.code = secret.NewCode(prefs.CodeLength)
		rec.CodeHash = s.keys.HashCode(rec.ID, rc.code)
		out.Code = rc.code
	}
	msg, err := resetMessage(s.core.Texts(), c.TenantID, req.Channel, dest, rc, prefs.Message, now)
	if err != nil {
		return PasswordResetSent{}, err
	}
	err = s.core.StoreCode(ctx, c, rec, msg, auth.Event{Type: model.EventCodeSent, Method: req.Channel, UserID: u.ID,
		Attrs: req.ClientAttributes, Details: map[string]any{"purpose": model.PurposePasswordReset}}, now)
	if err != nil {
		return PasswordResetSent{}, fault.Wrap(err, "store reset code")
	}
	if msg != nil {
		s.opts.NotifyOutbox()
	}
	if req.Channel != model.ChannelDirect {
		out.Code, out.Link = "", ""
	}
	return out, nil
}

func resetSentMessage(req PasswordResetSend) string {
	if req.RedirectURI != "" {
		return "Password reset link sent"
	}
	return "Password reset code sent"
}

// decoyReset answers a send for a user who must not be revealed (unknown, inactive, without a
// password or without the channel's address) like a real send, after the same work: the
// phone-prefix count a profile's number would make, the code or link and its message rendered
// as a real one is, and the write transaction. The direct channel answers with a code or link
// that redeems nothing.
func (s *Service) decoyReset(ctx context.Context, c model.Caller, req PasswordResetSend, appName string, all model.LoginPreferences,
	identifier, phone string, now time.Time) (PasswordResetSent, error) {
	prefs := all.Password
	// Stored live, as a real reset code or link is: a typed code is found by identifier, so a
	// live decoy answers guesses, counts failures and locks exactly as a real user's code does,
	// and the next send spends it as it would a real one. Its secret is never shown.
	rec := model.OneTimeCode{Purpose: model.PurposePasswordReset, Channel: req.Channel, IdentifierType: req.IdentifierType,
		Identifier: identifier, MaxFailures: prefs.MaxPasswordFailures,
		ExpiresAt: now.Add(time.Duration(prefs.ResetValidityMinutes) * time.Minute)}
	rc := resetContent{appName: appName, minutes: prefs.ResetValidityMinutes, language: s.core.LanguageOf(ctx, c.TenantID, model.User{})}
	out := PasswordResetSent{Message: resetSentMessage(req)}
	if req.RedirectURI != "" {
		var err error
		if rc.link, err = auth.BuildLink(req.RedirectURI, model.NewID()+"."+secret.NewLinkCode(), ""); err != nil {
			return PasswordResetSent{}, fault.Wrap(err, "build link")
		}
	} else {
		rc.code = secret.NewCode(prefs.CodeLength)
	}
	if req.Channel == model.ChannelSMS && phone == "" {
		if err := s.core.DecoyPhonePrefix(ctx, c, all.Limits, now); err != nil {
			return PasswordResetSent{}, err
		}
	}
	msg, err := resetMessage(s.core.Texts(), c.TenantID, req.Channel, "", rc, prefs.Message, now)
	if err != nil {
		return PasswordResetSent{}, err
	}
	ev := auth.Event{Method: req.Channel, Attrs: req.ClientAttributes, Details: map[string]any{"purpose": model.PurposePasswordReset}}
	if err := s.core.DecoySend(ctx, c, rec, msg, ev, now); err != nil {
		return PasswordResetSent{}, err
	}
	if req.Channel == model.ChannelDirect {
		out.Code, out.Link = rc.code, rc.link
	}
	return out, nil
}

// resetUser finds the active user of the caller's application named by an identifier, who must
// have a password to reset.
func (s *Service) resetUser(ctx context.Context, c model.Caller, idType, norm string) (model.User, error) {
	u, err := s.core.Lookup(ctx, s.store, c, "reset", idType, norm)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return u, fault.Wrap(err, "find user")
	}
	// The reads of a complete user follow whatever the lookup found, so that the time taken
	// does not tell where the search stopped: nobody (a stand-in's rows are read, see
	// standInUsers, and ignored), another application's user, or a user without a password.
	id := s.core.SubjectID(c, "reset", u, err)
	_, aerr := s.store.GetAppUser(ctx, c.TenantID, c.AppID, id)
	_, hasPassword, perr := passwordOf(ctx, s.store, c.TenantID, id)
	switch {
	case err != nil || errors.Is(aerr, storage.ErrNotFound):
		return u, errUserNotFound
	case aerr != nil:
		return u, fault.Wrap(aerr, "find user")
	}
	if perr == nil && hasPassword {
		s.core.RememberStandIn(c, "reset", u.ID)
	}
	switch {
	case perr != nil:
		return u, perr
	case u.Status != model.UserActive:
		return u, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	case !hasPassword:
		return u, errNoPassword
	}
	return u, nil
}

func resetDestination(channel string, u model.User) (string, error) {
	switch channel {
	case model.ChannelEmail:
		if u.Email == "" {
			return "", fault.New(fault.NotFound, fault.CodeEmailMissing, "user has no email address")
		}
		return u.Email, nil
	case model.ChannelSMS:
		if u.PhoneNumber == "" {
			return "", fault.New(fault.NotFound, fault.CodePhoneMissing, "user has no phone number")
		}
		return u.PhoneNumber, nil
	}
	return "", nil
}

// checkRedirect accepts only a redirect URI of the calling client or of its application,
// exactly (auth.CheckRedirect).
func (s *Service) checkRedirect(ctx context.Context, c model.Caller, uri string) error {
	client, err := s.store.GetClient(ctx, c.ClientID)
	if err != nil {
		return fault.Wrap(err, "get client")
	}
	if client.TenantID != c.TenantID {
		return auth.ErrInvalidRedirect
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, client.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	return auth.CheckRedirect(client, app, uri)
}

// splitResetCode tells a link's code ("<record id>.<secret>") from a typed one.
func splitResetCode(code string) (id, sec string, isLink bool) {
	id, sec, isLink = strings.Cut(code, ".")
	return id, sec, isLink
}
