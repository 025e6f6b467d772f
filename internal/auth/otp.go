package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// OTPSend asks for a one-time passcode to be sent (Mosaic's sendOTP).
type OTPSend struct {
	Channel           string
	IdentifierType    string
	Identifier        string
	ExpiresIn         int // minutes; 0 takes the application's setting
	GenerateRequestID bool
	Branding          *model.MessageBranding // per-request override of the application's
}

// OTPSent is the answer to a send. Code is set only for the direct channel, where the caller
// delivers the code itself.
type OTPSent struct {
	Message   string
	Code      string
	RequestID string
}

// OTPAuthenticate redeems a passcode (Mosaic's authenticateOTP).
type OTPAuthenticate struct {
	Passcode       string
	IdentifierType string
	Identifier     string
	RequestID      string
	Login
}

const otpSentMessage = "OTP sent"

// target is the user (or would-be user) a code is for.
type target struct {
	user       model.User // zero for a public sign-up
	known      bool
	identifier string // normalised, prefixed by type: "email:alice@example.com"
	dest       string // where to deliver
}

// SendOTP creates a passcode for the identified user, spends any earlier one, and queues its
// delivery in the same transaction.
func (s *Service) SendOTP(ctx context.Context, c model.Caller, req OTPSend) (OTPSent, error) {
	if problems := validateSend(req); len(problems) > 0 {
		return OTPSent{}, fault.Validation(problems...)
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return OTPSent{}, fault.Wrap(err, "get application")
	}
	prefs := app.Preferences.Normalized().EmailOTP
	t, err := s.resolveTarget(ctx, c, app, req.IdentifierType, req.Identifier)
	if err != nil {
		return OTPSent{}, err
	}
	if !t.known && app.EnumerationProtection && !app.AllowPublicSignup {
		// Answer exactly as for a known user, and send nothing.
		return OTPSent{Message: otpSentMessage}, nil
	}
	if t.known && t.user.Status != model.UserActive {
		if app.EnumerationProtection {
			return OTPSent{Message: otpSentMessage}, nil
		}
		return OTPSent{}, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	if req.Channel == model.ChannelEmail && t.dest == "" {
		return OTPSent{}, fault.New(fault.NotFound, fault.CodeEmailMissing, "user has no email address")
	}
	now := s.now()
	expires := prefs.ExpiresIn
	if req.ExpiresIn > 0 {
		expires = req.ExpiresIn
	}
	code := secret.NewCode(prefs.CodeLength)
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID,
		UserID: t.user.ID, Purpose: model.PurposeOTP, Channel: req.Channel,
		IdentifierType: req.IdentifierType, Identifier: t.identifier, Destination: t.dest,
		MaxFailures: prefs.MaxFailures, ExpiresAt: now.Add(time.Duration(expires) * time.Minute),
		CreatedAt: now,
	}
	rec.CodeHash = s.keys.HashCode(rec.ID, code)
	if req.GenerateRequestID {
		rec.RequestID = model.NewID()
	}
	var msg *model.OutboxMessage
	if req.Channel == model.ChannelEmail {
		branding := prefs.Message
		if req.Branding != nil {
			branding = *req.Branding
		}
		m, err := otpEmail(c.TenantID, app.Name, t.dest, code, expires, branding, now)
		if err != nil {
			return OTPSent{}, err
		}
		msg = &m
	}
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.SpendCodes(ctx, c.TenantID, c.AppID, model.PurposeOTP, t.identifier, now); err != nil {
			return err
		}
		if err := tx.CreateCode(ctx, rec); err != nil {
			return err
		}
		if msg != nil {
			return tx.EnqueueMessage(ctx, *msg)
		}
		return nil
	})
	if err != nil {
		return OTPSent{}, fault.Wrap(err, "store code")
	}
	if msg != nil {
		s.opts.NotifyOutbox()
	}
	out := OTPSent{Message: otpSentMessage, RequestID: rec.RequestID}
	if req.Channel == model.ChannelDirect {
		out.Code = code
	}
	return out, nil
}

func validateSend(req OTPSend) []string {
	var p []string
	switch req.Channel {
	case model.ChannelEmail, model.ChannelDirect:
	case model.ChannelSMS:
		p = append(p, "channel sms has no SMS provider configured")
	case "":
		p = append(p, "channel is required")
	default:
		p = append(p, "channel must be one of email, sms, direct")
	}
	p = append(p, validateIdentifier(req.IdentifierType, req.Identifier)...)
	if req.ExpiresIn < 0 || req.ExpiresIn > 60 {
		p = append(p, "expires_in must be between 1 and 60 minutes")
	}
	return p
}

func validateIdentifier(idType, value string) []string {
	var p []string
	switch idType {
	case model.IdentifierEmail, model.IdentifierPhone, model.IdentifierUserID, model.IdentifierUsername:
	case "":
		p = append(p, "identifier_type is required")
	default:
		p = append(p, "identifier_type must be one of email, phone_number, user_id, username")
	}
	if value == "" {
		p = append(p, "identifier is required")
	}
	return p
}

// resolveTarget finds the user an identifier names among the application's users. An unknown
// user is not an error when the application allows public sign-up by email or phone, or hides
// whether users exist.
func (s *Service) resolveTarget(ctx context.Context, c model.Caller, app model.Application, idType, value string) (target, error) {
	norm, err := directory.NormalizeIdentifier(idType, value)
	if err != nil {
		return target{}, fault.Validation("identifier: " + err.Error())
	}
	t := target{identifier: idType + ":" + norm}
	u, err := s.lookup(ctx, c.TenantID, idType, norm)
	if err == nil {
		_, lerr := s.store.GetAppUser(ctx, c.TenantID, c.AppID, u.ID)
		switch {
		case lerr == nil, errors.Is(lerr, storage.ErrNotFound) && app.AllowPublicSignup:
			t.user, t.known, t.dest = u, true, u.Email
			return t, nil
		case !errors.Is(lerr, storage.ErrNotFound):
			return t, fault.Wrap(lerr, "get app user")
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return t, fault.Wrap(err, "find user")
	}
	switch {
	case app.AllowPublicSignup && idType == model.IdentifierEmail:
		t.dest = norm
		return t, nil
	case app.EnumerationProtection:
		return t, nil
	}
	return t, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
}

func (s *Service) lookup(ctx context.Context, tenantID, idType, norm string) (model.User, error) {
	if idType == model.IdentifierUserID {
		return s.store.GetUser(ctx, tenantID, norm)
	}
	return s.store.GetUserBy(ctx, tenantID, idType, norm)
}

func otpEmail(tenantID, appName, to, code string, minutes int, b model.MessageBranding, now time.Time) (model.OutboxMessage, error) {
	subject, text, html, err := delivery.RenderOTPEmail(delivery.OTPEmail{
		AppName: appName, Code: code, ExpiresInMinutes: minutes, Branding: b,
	})
	if err != nil {
		return model.OutboxMessage{}, fault.Wrap(err, "render email")
	}
	return model.OutboxMessage{
		ID: model.NewID(), TenantID: tenantID, Kind: model.MessageEmail, To: to, From: b.From,
		Subject: subject, Text: text, HTML: html, NextAttemptAt: now, CreatedAt: now,
	}, nil
}
