package otp

import (
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// OTPSend asks for a one-time passcode to be sent (Mosaic's sendOTP).
type OTPSend struct {
	Channel           string
	IdentifierType    string
	Identifier        string
	ExpiresIn         int // minutes; 0 takes the application's setting
	GenerateRequestID bool
	Branding          *model.MessageBranding // per-request override of the application's, field by field
	SenderName        string                 // display name for the application's sender address
	// SMS is Mosaic's custom_sms_input: the text and sender id of an SMS.
	SMS *SMSContent
	// CustomEmail and CustomPhone deliver the code to another address than the profile's
	// (email and sms channels). Redeeming such a code verifies nothing on the profile.
	CustomEmail string
	CustomPhone string
	// ApprovalData is the transaction the user approves by redeeming the code: a flat JSON
	// object echoed in the answer and in the ID token.
	ApprovalData     json.RawMessage
	ClientAttributes model.ClientAttributes
}

// SMSContent customises one SMS. Message must contain "{otp}" and "{app}", which become the
// code and the application's name.
type SMSContent struct {
	Message  string
	SenderID string
}

// OTPSent is the answer to a send. Code is set only for the direct channel, where the caller
// delivers the code itself.
type OTPSent struct {
	Message      string
	Code         string
	RequestID    string
	ApprovalData json.RawMessage
}

// OTPAuthenticate redeems a passcode (Mosaic's authenticateOTP).
type OTPAuthenticate struct {
	Passcode       string
	IdentifierType string
	Identifier     string
	RequestID      string
	auth.Login
}

const otpSentMessage = "OTP sent"

// SendOTP creates a passcode for the identified user, spends any earlier one, and queues its
// delivery by email or SMS in the same transaction; for the direct channel it returns the code.
func (s *Service) SendOTP(ctx context.Context, c model.Caller, req OTPSend) (OTPSent, error) {
	pace := s.core.PaceAnswers()
	defer pace.Hold(ctx)
	in, problems := parseSend(req)
	if len(problems) > 0 {
		return OTPSent{}, fault.Validation(problems...)
	}
	if req.Channel == model.ChannelSMS && s.opts.SMSDisabled {
		return OTPSent{}, auth.ErrNoSMSProvider
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return OTPSent{}, fault.Wrap(err, "get application")
	}
	pace.On = app.EnumerationProtection
	all := app.Preferences.Normalized()
	prefs := auth.OTPPrefs(all, req.Channel, req.IdentifierType)
	now := s.core.Now()
	// Counted before the user is looked up, so that limits answer alike for unknown users. The
	// phone-prefix limit needs the SMS destination; when it comes from the profile it is
	// counted once the user is known.
	if err := s.core.CheckSend(ctx, c, all.Limits, in.identifier, in.smsPhone, req.ClientAttributes.IPAddress, now); err != nil {
		s.core.RecordLimited(ctx, c, err, req.Channel, req.ClientAttributes)
		return OTPSent{}, err
	}
	t, err := s.core.ResolveTarget(ctx, c, app, req.IdentifierType, req.Identifier)
	if err != nil {
		return OTPSent{}, err
	}
	// An unknown user got this far only by public sign-up or enumeration protection.
	signUp := app.AllowPublicSignup && (req.IdentifierType == model.IdentifierEmail || req.IdentifierType == model.IdentifierPhone)
	hidden := !t.Known && !signUp
	if t.Known && t.User.Status != model.UserActive {
		if !app.EnumerationProtection {
			return OTPSent{}, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
		}
		hidden = true
	}
	expires := prefs.ExpiresIn
	if req.ExpiresIn > 0 {
		expires = req.ExpiresIn
	}
	decoy := func() (OTPSent, error) {
		// Answer exactly as for a known user, after the same work, and send nothing. The code
		// stored is live, with a real code's expiry and attempts, so that redeeming it fails,
		// expires and locks exactly as a real one does for a wrong guess.
		rec := model.OneTimeCode{
			UserID: t.User.ID, Purpose: model.PurposeOTP, Channel: req.Channel,
			IdentifierType: req.IdentifierType, Identifier: t.Identifier, MaxFailures: prefs.MaxFailures,
			ExpiresAt: now.Add(time.Duration(expires) * time.Minute),
		}
		if req.Channel == model.ChannelSMS && in.smsPhone == "" {
			if err := s.core.DecoyPhonePrefix(ctx, c, all.Limits, now); err != nil {
				return OTPSent{}, err
			}
		}
		out := decoyOTPSent(req, in, prefs)
		msg, err := otpMessage(s.core.Texts(), s.core.LanguageOf(ctx, c.TenantID, t.User), c.TenantID, app.Name, "", decoyCode(out.Code, prefs.CodeLength), expires, prefs.Message, req, now)
		if err != nil {
			return OTPSent{}, err
		}
		if err := s.core.DecoySend(ctx, c, rec, msg, auth.Event{Method: req.Channel, Attrs: req.ClientAttributes}, now); err != nil {
			return OTPSent{}, err
		}
		return out, nil
	}
	if hidden {
		return decoy()
	}
	dest, err := destination(req.Channel, t, in)
	if err != nil {
		// A known user without the channel's address gets the decoy too: telling that the
		// address is missing would tell that the user exists.
		if app.EnumerationProtection && fault.Is(err, fault.NotFound) {
			return decoy()
		}
		return OTPSent{}, err
	}
	if req.Channel == model.ChannelSMS && in.smsPhone == "" {
		if err := s.core.CheckPhonePrefix(ctx, c, all.Limits, dest, now); err != nil {
			s.core.RecordLimited(ctx, c, err, req.Channel, req.ClientAttributes)
			return OTPSent{}, err
		}
	}
	code := secret.NewCode(prefs.CodeLength)
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID,
		UserID: t.User.ID, Purpose: model.PurposeOTP, Channel: req.Channel,
		IdentifierType: req.IdentifierType, Identifier: t.Identifier, Destination: dest,
		ApprovalData: in.approval, MaxFailures: prefs.MaxFailures,
		ExpiresAt: now.Add(time.Duration(expires) * time.Minute), CreatedAt: now,
	}
	rec.CodeHash = s.keys.HashCode(rec.ID, code)
	if req.GenerateRequestID {
		rec.RequestID = model.NewID()
	}
	msg, err := otpMessage(s.core.Texts(), s.core.LanguageOf(ctx, c.TenantID, t.User), c.TenantID, app.Name, dest, code, expires, prefs.Message, req, now)
	if err != nil {
		return OTPSent{}, err
	}
	err = s.core.StoreCode(ctx, c, rec, msg, auth.Event{Type: model.EventCodeSent, Method: req.Channel, UserID: t.User.ID, Attrs: req.ClientAttributes}, now)
	if err != nil {
		return OTPSent{}, fault.Wrap(err, "store code")
	}
	if msg != nil {
		s.opts.NotifyOutbox()
	}
	out := OTPSent{Message: otpSentMessage, RequestID: rec.RequestID, ApprovalData: in.approval}
	if req.Channel == model.ChannelDirect {
		out.Code = code
	}
	return out, nil
}

// decoyOTPSent is the answer for a user who must not be revealed as unknown or inactive: the
// shape of a real one, with a request id and a direct code that redeem nothing.
func decoyOTPSent(req OTPSend, in sendInput, prefs model.OTPPreferences) OTPSent {
	out := OTPSent{Message: otpSentMessage, ApprovalData: in.approval}
	if req.GenerateRequestID {
		out.RequestID = model.NewID()
	}
	if req.Channel == model.ChannelDirect {
		out.Code = secret.NewCode(prefs.CodeLength)
	}
	return out
}

// decoyCode is the code a decoy's message shows: the direct channel's decoy code, else a new
// one of the same length (a real send generates its code either way).
func decoyCode(direct string, length int) string {
	if direct != "" {
		return direct
	}
	return secret.NewCode(length)
}

// destination returns where a code goes: the custom address of the send, else the profile's
// (or, for a public sign-up, the identifier itself). Direct codes go nowhere.
func destination(channel string, t auth.Target, in sendInput) (string, error) {
	switch channel {
	case model.ChannelEmail:
		dest := t.Dest
		if in.customEmail != "" {
			dest = in.customEmail
		}
		if dest == "" {
			return "", fault.New(fault.NotFound, fault.CodeEmailMissing, "user has no email address")
		}
		return dest, nil
	case model.ChannelSMS:
		dest := t.User.PhoneNumber
		switch {
		case in.customPhone != "":
			dest = in.customPhone
		case !t.Known && in.idType == model.IdentifierPhone:
			dest = in.norm
		}
		if dest == "" {
			return "", fault.New(fault.NotFound, fault.CodePhoneMissing, "user has no phone number")
		}
		return dest, nil
	}
	return "", nil
}

// otpMessage renders the outbox message of a code: an email, an SMS, or nothing for the
// direct channel.
func otpMessage(texts *delivery.Texts, lang, tenantID, appName, to, code string, minutes int, b model.MessageBranding, req OTPSend, now time.Time) (*model.OutboxMessage, error) {
	m := model.OutboxMessage{ID: model.NewID(), TenantID: tenantID, To: to, NextAttemptAt: now, CreatedAt: now}
	switch req.Channel {
	case model.ChannelEmail:
		b = mergeBranding(b, req.Branding, req.SenderName)
		subject, text, html, err := delivery.RenderOTPEmail(delivery.OTPEmail{
			Texts: texts, Language: lang, AppName: appName, Code: code, ExpiresInMinutes: minutes, Branding: b,
		})
		if err != nil {
			return nil, fault.Wrap(err, "render email")
		}
		m.Kind, m.From, m.Subject, m.Text, m.HTML = model.MessageEmail, b.From, subject, text, html
	case model.ChannelSMS:
		d := delivery.OTPSMS{Texts: texts, Language: lang, AppName: appName, Code: code, ExpiresInMinutes: minutes}
		if req.SMS != nil {
			d.Template, m.From = req.SMS.Message, req.SMS.SenderID
		}
		text, err := delivery.RenderOTPSMS(d)
		if err != nil {
			return nil, fault.Wrap(err, "render SMS")
		}
		m.Kind, m.Text = model.MessageSMS, text
	default:
		return nil, nil
	}
	return &m, nil
}

// mergeBranding applies a request's branding over the application's, field by field. A sender
// name only names the application's own sender address: a display name alone is no address.
func mergeBranding(b model.MessageBranding, over *model.MessageBranding, senderName string) model.MessageBranding {
	if over != nil {
		if over.Subject != "" {
			b.Subject = over.Subject
		}
		if over.PrimaryColor != "" {
			b.PrimaryColor = over.PrimaryColor
		}
	}
	if name := strings.TrimSpace(senderName); name != "" {
		if addr, err := mail.ParseAddress(b.From); err == nil {
			b.From = (&mail.Address{Name: name, Address: addr.Address}).String()
		}
	}
	return b
}
