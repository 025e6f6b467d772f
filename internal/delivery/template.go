package delivery

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/latchkey/latchkey/internal/model"
)

//go:embed templates/*
var templateFiles embed.FS

// emailTemplate is one email's HTML and text bodies.
type emailTemplate struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

var (
	otpTemplate  = mustParse("otp")
	linkTemplate = mustParse("link")
)

// mustParse combines the shared HTML layout with one email's content block. The templates are
// embedded, so a parse error is a bug caught by any test.
func mustParse(name string) emailTemplate {
	layout := htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/layout.html"))
	html := htmltemplate.Must(htmltemplate.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	text := texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/"+name+".txt"))
	return emailTemplate{html: html.Lookup("layout"), text: text}
}

// OTPEmail is what an email carrying a one-time passcode says.
type OTPEmail struct {
	// Texts and Language choose the wording (nil Texts: the built-in catalogs).
	Texts            *Texts
	Language         string
	AppName          string
	Code             string
	ExpiresInMinutes int // 0 leaves the expiry unsaid
	Branding         model.MessageBranding
	// HeadingText, BodyText and InfoText replace the default wording when set.
	HeadingText string
	BodyText    string
	InfoText    string
}

// LinkEmail is what an email carrying a magic link says. Empty texts take defaults.
type LinkEmail struct {
	Texts            *Texts
	Language         string
	AppName          string
	URL              string // http or https only
	ExpiresInMinutes int    // 0 leaves the expiry unsaid
	Branding         model.MessageBranding
	HeaderText       string
	BodyText         string
	LinkText         string
	InfoText         string
	FooterText       string
	SenderName       string
	LogoDataURI      string // data:image/(png|jpeg|gif|svg+xml);base64,...; anything else is dropped
}

// view is the data of both the HTML and the text template.
type view struct {
	Lang       string
	Title      string
	Preheader  string
	AppName    string
	Heading    string
	Body       string
	Code       string
	URL        string
	LinkText   string
	Info       string
	Footer     string
	SenderName string
	Color      htmltemplate.CSS // validated by cssColor
	ButtonText htmltemplate.CSS // a fixed colour chosen for contrast
	Logo       htmltemplate.URL // validated by logoURI
}

// RenderOTPEmail renders the subject, text and HTML of a one-time passcode email. The default
// subject leaves the code out, because subjects show on lock screens and in notifications.
func RenderOTPEmail(d OTPEmail) (subject, text, html string, err error) {
	appName := oneLine(d.AppName)
	if appName == "" {
		return "", "", "", errors.New("render OTP email: app name is required")
	}
	if strings.TrimSpace(d.Code) == "" {
		return "", "", "", errors.New("render OTP email: code is required")
	}
	w := d.Texts.in(d.Language)
	subject = brandedSubject(d.Branding, w.say("otp.subject", "app", appName))
	info := w.say("otp.ignore", "app", appName)
	if d.ExpiresInMinutes > 0 {
		info = w.say("otp.expires", "minutes", w.minutes(d.ExpiresInMinutes)) + " " + info
	}
	color := cssColor(d.Branding.PrimaryColor)
	v := view{
		Lang:      w.language(),
		Title:     subject,
		Preheader: w.say("otp.preheader", "app", appName),
		AppName:   appName,
		Heading:   orDefault(d.HeadingText, w.say("otp.heading", "app", appName)),
		Body:      orDefault(d.BodyText, w.say("otp.body", "app", appName)),
		Code:      strings.TrimSpace(d.Code),
		Info:      orDefault(d.InfoText, info),
		Color:     color,
	}
	text, html, err = otpTemplate.render(v)
	if err != nil {
		return "", "", "", fmt.Errorf("render OTP email: %w", err)
	}
	return subject, text, html, nil
}

// RenderMagicLinkEmail renders the subject, text and HTML of a magic link email.
func RenderMagicLinkEmail(d LinkEmail) (subject, text, html string, err error) {
	appName := oneLine(d.AppName)
	if appName == "" {
		return "", "", "", errors.New("render magic link email: app name is required")
	}
	if err := checkLinkURL(d.URL); err != nil {
		return "", "", "", fmt.Errorf("render magic link email: %w", err)
	}
	w := d.Texts.in(d.Language)
	subject = brandedSubject(d.Branding, w.say("link.subject", "app", appName))
	info := w.say("link.ignore", "app", appName)
	if d.ExpiresInMinutes > 0 {
		info = w.say("link.expires", "minutes", w.minutes(d.ExpiresInMinutes)) + " " + info
	}
	color := cssColor(d.Branding.PrimaryColor)
	v := view{
		Lang:       w.language(),
		Title:      subject,
		Preheader:  w.say("link.preheader", "app", appName),
		AppName:    appName,
		Heading:    orDefault(d.HeaderText, w.say("link.heading", "app", appName)),
		Body:       orDefault(d.BodyText, w.say("link.body", "app", appName)),
		URL:        d.URL,
		LinkText:   orDefault(oneLine(d.LinkText), w.say("link.button", "app", appName)),
		Info:       orDefault(d.InfoText, info),
		Footer:     strings.TrimSpace(d.FooterText),
		SenderName: strings.TrimSpace(d.SenderName),
		Color:      color,
		ButtonText: contrastText(color),
		Logo:       logoURI(d.LogoDataURI),
	}
	text, html, err = linkTemplate.render(v)
	if err != nil {
		return "", "", "", fmt.Errorf("render magic link email: %w", err)
	}
	return subject, text, html, nil
}

// OTPSMS is what an SMS carrying a one-time passcode says.
type OTPSMS struct {
	Texts            *Texts
	Language         string
	AppName          string
	Code             string
	ExpiresInMinutes int // 0 leaves the expiry unsaid
	// Template, when set, replaces the default text: "{otp}" in it becomes the code and "{app}"
	// the application's name. The caller validates it.
	Template string
}

// RenderOTPSMS renders the text of a one-time passcode SMS. The default text starts with the
// code, so that it shows in notification previews and phones can offer to fill it in.
func RenderOTPSMS(d OTPSMS) (string, error) {
	appName := oneLine(d.AppName)
	code := strings.TrimSpace(d.Code)
	if appName == "" || code == "" {
		return "", errors.New("render OTP SMS: app name and code are required")
	}
	if d.Template != "" {
		// One pass, so that an app name containing "{otp}" is not replaced in turn.
		return strings.NewReplacer("{otp}", code, "{app}", appName).Replace(d.Template), nil
	}
	w := d.Texts.in(d.Language)
	text := w.say("sms.otp", "code", code, "app", appName)
	if d.ExpiresInMinutes > 0 {
		text += " " + w.say("sms.expires", "minutes", w.minutes(d.ExpiresInMinutes))
	}
	return text, nil
}

func (t emailTemplate) render(v view) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := t.text.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("text part: %w", err)
	}
	if err := t.html.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("HTML part: %w", err)
	}
	return tb.String(), hb.String(), nil
}

// checkLinkURL accepts only absolute http and https URLs, the only ones a mail client should
// open from a sign-in email.
func checkLinkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid link URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("link URL must be an absolute http or https URL")
	}
	return nil
}

// brandedSubject returns the application's subject when it set one, else def.
func brandedSubject(b model.MessageBranding, def string) string {
	return orDefault(oneLine(b.Subject), def)
}

// oneLine trims s and turns control characters into spaces, so that text meant for a header
// or a heading cannot break a line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}
