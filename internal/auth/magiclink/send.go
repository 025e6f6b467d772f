package magiclink

import (
	"context"
	"encoding/base64"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// MagicLinkSend asks for a sign-in link (Mosaic's sendMagicLinkEmail). The user is named either
// by IdentifierType and Identifier or, in the deprecated shape, by Email alone; the link always
// goes to the user's email address.
type MagicLinkSend struct {
	IdentifierType    string
	Identifier        string
	Email             string // deprecated shape
	RedirectURI       string
	State             string
	ExpiresIn         int    // minutes; 0 takes the application's email.expiresIn
	Channel           string // email (the default) or direct
	GenerateRequestID bool
	Content           *MagicLinkContent // per-request override of the application's branding
	ClientAttributes  model.ClientAttributes
}

// MagicLinkContent is Mosaic's email_content: what one send may change in the email. Logo is a
// base64 PNG, JPEG, GIF or SVG image, bare or as a data URI.
type MagicLinkContent struct {
	Subject, PrimaryColor, Logo                                  string
	HeaderText, BodyText, LinkText, InfoText, FooterText, Sender string
}

// MagicLinkSent answers a send. Link is set only for the direct channel, where the caller
// delivers the link itself.
type MagicLinkSent struct {
	Message   string
	Link      string
	RequestID string
}

// MagicLinkAuthenticate redeems the code a link carried (Mosaic's authenticateMagicLink).
type MagicLinkAuthenticate struct {
	Code      string
	RequestID string
	auth.Login
}

const (
	linkSentMessage    = "Email sent successfully"
	linkCreatedMessage = "Magic link created"
	// linkMaxFailures spends a link after this many wrong presentations. The secret is 256
	// bits, so failures come from a wrong request id or a mangled link, not from guessing.
	linkMaxFailures = 5
	maxLogoChars    = 20000
	maxStateLen     = 1024
	maxSubjectLen   = 200
	maxTextLen      = 2000
	// CodeLinkExpired reports a magic link presented after its expiry.
	CodeLinkExpired = "auth_magic_link_expired"
)

// SendMagicLink creates a link code for the identified user, spends their earlier links, and
// queues the email in the same transaction; for the direct channel it returns the link instead.
func (s *Service) SendMagicLink(ctx context.Context, c model.Caller, req MagicLinkSend) (MagicLinkSent, error) {
	pace := s.core.PaceAnswers()
	defer pace.Hold(ctx)
	req, problems := checkLinkSend(req)
	if len(problems) > 0 {
		return MagicLinkSent{}, fault.Validation(problems...)
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return MagicLinkSent{}, fault.Wrap(err, "get application")
	}
	pace.On = app.EnumerationProtection
	client, err := s.store.GetClient(ctx, c.ClientID)
	if err != nil {
		return MagicLinkSent{}, fault.Wrap(err, "get client")
	}
	if client.TenantID != c.TenantID {
		return MagicLinkSent{}, auth.ErrInvalidRedirect
	}
	if err := auth.CheckRedirect(client, app, req.RedirectURI); err != nil {
		return MagicLinkSent{}, err
	}
	prefs := app.Preferences.Normalized()
	norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
	if err != nil {
		return MagicLinkSent{}, fault.Validation("identifier: " + err.Error())
	}
	identifier := req.IdentifierType + ":" + norm
	now := s.core.Now()
	if err := s.countLinkSend(ctx, c, prefs, identifier, req.ClientAttributes.IPAddress, now); err != nil {
		s.core.RecordLimited(ctx, c, err, "magic_link", req.ClientAttributes)
		return MagicLinkSent{}, err
	}
	t, err := s.core.ResolveTarget(ctx, c, app, req.IdentifierType, req.Identifier)
	if err != nil {
		return MagicLinkSent{}, err
	}
	minutes := prefs.MagicLink.ExpiresIn
	if req.ExpiresIn > 0 {
		minutes = req.ExpiresIn
	}
	decoy := func() (MagicLinkSent, error) {
		// Answer as for a known user, after the same work (the link built and its email
		// rendered), and send nothing.
		// Stored live, as a real link is, so that the next send spends it as it would a real
		// one; its id and secret are never shown, so nothing can redeem it.
		rec := model.OneTimeCode{UserID: t.User.ID, Purpose: model.PurposeMagicLink, Channel: req.Channel,
			IdentifierType: req.IdentifierType, Identifier: identifier, MaxFailures: linkMaxFailures,
			ExpiresAt: now.Add(time.Duration(minutes) * time.Minute)}
		out := decoyLinkSent(req)
		var msg *model.OutboxMessage
		if req.Channel == model.ChannelEmail {
			link, err := auth.BuildLink(req.RedirectURI, model.NewID()+"."+secret.NewLinkCode(), req.State)
			if err != nil {
				return MagicLinkSent{}, fault.Wrap(err, "build link")
			}
			m, err := linkMessage(c.TenantID, "", linkEmail(s.core.Texts(), s.core.LanguageOf(ctx, c.TenantID, t.User), app.Name, link, minutes, prefs.MagicLink.Message, req.Content), now)
			if err != nil {
				return MagicLinkSent{}, err
			}
			msg = &m
		}
		if err := s.core.DecoySend(ctx, c, rec, msg, auth.Event{Method: "magic_link", Attrs: req.ClientAttributes}, now); err != nil {
			return MagicLinkSent{}, err
		}
		return out, nil
	}
	// Only an email address can sign up by link: an unknown username or phone number is as
	// unknown as without sign-up.
	if !t.Known && app.EnumerationProtection && (!app.AllowPublicSignup || req.IdentifierType != model.IdentifierEmail) {
		return decoy()
	}
	if t.Known && t.User.Status != model.UserActive {
		if app.EnumerationProtection {
			return decoy()
		}
		return MagicLinkSent{}, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	if t.Known {
		t.Dest = t.User.Email
	}
	if req.Channel == model.ChannelEmail && t.Dest == "" {
		if app.EnumerationProtection {
			// Telling that the user has no email would tell that the user exists.
			return decoy()
		}
		return MagicLinkSent{}, fault.New(fault.NotFound, fault.CodeEmailMissing, "user has no email address")
	}
	rec := model.OneTimeCode{
		ID: model.NewID(), TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID,
		UserID: t.User.ID, Purpose: model.PurposeMagicLink, Channel: req.Channel,
		IdentifierType: req.IdentifierType, Identifier: identifier, Destination: t.Dest,
		MaxFailures: linkMaxFailures, ExpiresAt: now.Add(time.Duration(minutes) * time.Minute), CreatedAt: now,
	}
	linkSecret := secret.NewLinkCode()
	rec.CodeHash = s.keys.HashCode(rec.ID, linkSecret)
	if req.GenerateRequestID {
		rec.RequestID = model.NewID()
	}
	link, err := auth.BuildLink(req.RedirectURI, rec.ID+"."+linkSecret, req.State)
	if err != nil {
		return MagicLinkSent{}, fault.Wrap(err, "build link")
	}
	var msg *model.OutboxMessage
	if req.Channel == model.ChannelEmail {
		m, err := linkMessage(c.TenantID, t.Dest, linkEmail(s.core.Texts(), s.core.LanguageOf(ctx, c.TenantID, t.User), app.Name, link, minutes, prefs.MagicLink.Message, req.Content), now)
		if err != nil {
			return MagicLinkSent{}, err
		}
		msg = &m
	}
	err = s.core.StoreCode(ctx, c, rec, msg, auth.Event{Type: model.EventCodeSent, Method: "magic_link", UserID: t.User.ID, Attrs: req.ClientAttributes}, now)
	if err != nil {
		return MagicLinkSent{}, fault.Wrap(err, "store link code")
	}
	out := MagicLinkSent{Message: linkSentMessage, RequestID: rec.RequestID}
	if msg != nil {
		s.opts.NotifyOutbox()
	} else {
		out.Message, out.Link = linkCreatedMessage, link
	}
	return out, nil
}

// countLinkSend counts a send against the application's linksPerUser (per identifier and
// minute) and its general send limits. It runs before the user is looked up, so that limits
// answer alike for unknown users.
func (s *Service) countLinkSend(ctx context.Context, c model.Caller, prefs model.LoginPreferences, identifier, ip string, now time.Time) error {
	perUser := auth.SendLimit{Key: "link:id:" + c.TenantID + ":" + c.AppID + ":" + identifier,
		Limit: prefs.MagicLink.LinksPerUser, What: "this user"}
	if err := s.core.Hit(ctx, s.store, perUser, now, time.Minute); err != nil {
		return err
	}
	// Links are sent by email only, so there is no phone-number prefix to count.
	return s.core.CheckSend(ctx, c, prefs.Limits, identifier, "", ip, now)
}

// decoyLinkSent is the answer for a user who must not be revealed as unknown or inactive: the
// same shape as a real one, with a link that redeems nothing. Nothing is sent.
func decoyLinkSent(req MagicLinkSend) MagicLinkSent {
	out := MagicLinkSent{Message: linkSentMessage}
	if req.GenerateRequestID {
		out.RequestID = model.NewID()
	}
	if req.Channel == model.ChannelDirect {
		out.Message = linkCreatedMessage
		out.Link, _ = auth.BuildLink(req.RedirectURI, model.NewID()+"."+secret.NewLinkCode(), req.State)
	}
	return out
}

// checkLinkSend resolves the deprecated email shape and the default channel, normalises the
// logo to a data URI, and lists every problem of the request.
func checkLinkSend(req MagicLinkSend) (MagicLinkSend, []string) {
	var p []string
	switch {
	case req.Email != "" && (req.Identifier != "" || req.IdentifierType != ""):
		p = append(p, "give either identifier and identifier_type, or the deprecated email, not both")
	case req.Email != "":
		req.IdentifierType, req.Identifier = model.IdentifierEmail, req.Email
	default:
		p = append(p, auth.ValidateIdentifier(req.IdentifierType, req.Identifier)...)
	}
	if req.Channel == "" {
		req.Channel = model.ChannelEmail
	}
	if req.Channel != model.ChannelEmail && req.Channel != model.ChannelDirect {
		p = append(p, "channel must be email or direct")
	}
	if strings.TrimSpace(req.RedirectURI) == "" {
		p = append(p, "redirect_uri is required")
	}
	if len(req.State) > maxStateLen {
		p = append(p, "state must be at most 1024 characters")
	}
	if req.ExpiresIn < 0 || req.ExpiresIn > 1440 {
		p = append(p, "email_expiration must be between 1 and 1440 minutes")
	}
	if req.Content != nil {
		ct := *req.Content
		var logoProblem string
		ct.Logo, logoProblem = logoDataURI(ct.Logo)
		if logoProblem != "" {
			p = append(p, logoProblem)
		}
		p = append(p, contentProblems(ct)...)
		req.Content = &ct
	}
	return req, p
}

func contentProblems(ct MagicLinkContent) []string {
	var p []string
	if ct.PrimaryColor != "" && !hexColour.MatchString(ct.PrimaryColor) {
		p = append(p, "email_content.primaryColor must be a hex colour such as #1a73e8")
	}
	limits := []struct {
		name, value string
		max         int
	}{
		{"subject", ct.Subject, maxSubjectLen}, {"senderName", ct.Sender, maxSubjectLen},
		{"headerText", ct.HeaderText, maxTextLen}, {"bodyText", ct.BodyText, maxTextLen},
		{"linkText", ct.LinkText, maxSubjectLen}, {"infoText", ct.InfoText, maxTextLen},
		{"footerText", ct.FooterText, maxTextLen},
	}
	for _, l := range limits {
		if utf8.RuneCountInString(l.value) > l.max {
			p = append(p, "email_content."+l.name+" is too long")
		}
	}
	return p
}

// logoDataURI turns Mosaic's base64logo into a data URI, sniffing the image type of bare
// base64. It returns a problem for anything that is not a PNG, JPEG, GIF or SVG image.
func logoDataURI(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", ""
	case len(raw) > maxLogoChars:
		return "", "email_content.base64logo must be at most 20000 characters"
	case strings.HasPrefix(raw, "data:image/"):
		return raw, ""
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", "email_content.base64logo is not valid base64"
	}
	head := string(data[:min(len(data), 512)])
	var mediaType string
	switch {
	case strings.HasPrefix(head, "\x89PNG\r\n\x1a\n"):
		mediaType = "image/png"
	case strings.HasPrefix(head, "\xff\xd8\xff"):
		mediaType = "image/jpeg"
	case strings.HasPrefix(head, "GIF87a"), strings.HasPrefix(head, "GIF89a"):
		mediaType = "image/gif"
	case strings.Contains(head, "<svg"):
		mediaType = "image/svg+xml"
	default:
		return "", "email_content.base64logo must be a PNG, JPEG, GIF or SVG image"
	}
	return "data:" + mediaType + ";base64," + raw, ""
}

// linkEmail merges the application's branding with a send's own content. A sender name signs
// the email and, when the application has a From address, becomes its display name.
func linkEmail(texts *delivery.Texts, lang, appName, link string, minutes int, b model.MessageBranding, ct *MagicLinkContent) delivery.LinkEmail {
	d := delivery.LinkEmail{Texts: texts, Language: lang, AppName: appName, URL: link, ExpiresInMinutes: minutes, Branding: b}
	if ct == nil {
		return d
	}
	if ct.Subject != "" {
		d.Branding.Subject = ct.Subject
	}
	if ct.PrimaryColor != "" {
		d.Branding.PrimaryColor = ct.PrimaryColor
	}
	d.HeaderText, d.BodyText, d.LinkText = ct.HeaderText, ct.BodyText, ct.LinkText
	d.InfoText, d.FooterText, d.LogoDataURI = ct.InfoText, ct.FooterText, ct.Logo
	if name := strings.TrimSpace(ct.Sender); name != "" {
		d.SenderName = name
		if addr, err := mail.ParseAddress(b.From); err == nil {
			d.Branding.From = (&mail.Address{Name: name, Address: addr.Address}).String()
		}
	}
	return d
}

func linkMessage(tenantID, to string, d delivery.LinkEmail, now time.Time) (model.OutboxMessage, error) {
	subject, text, html, err := delivery.RenderMagicLinkEmail(d)
	if err != nil {
		return model.OutboxMessage{}, fault.Wrap(err, "render email")
	}
	return model.OutboxMessage{
		ID: model.NewID(), TenantID: tenantID, Kind: model.MessageEmail, To: to, From: d.Branding.From,
		Subject: subject, Text: text, HTML: html, NextAttemptAt: now, CreatedAt: now,
	}, nil
}

var (
	hexColour = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
)
