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
	AppName          string
	Code             string
	ExpiresInMinutes int // 0 leaves the expiry unsaid
	Branding         model.MessageBranding
}

// LinkEmail is what an email carrying a magic link says. Empty texts take defaults.
type LinkEmail struct {
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
	subject = brandedSubject(d.Branding, "Your "+appName+" sign-in code")
	info := "If you did not try to sign in, you can ignore this email."
	if d.ExpiresInMinutes > 0 {
		info = "This code expires in " + minutes(d.ExpiresInMinutes) + ". " + info
	}
	color := cssColor(d.Branding.PrimaryColor)
	v := view{
		Title:     subject,
		Preheader: "Your sign-in code for " + appName,
		AppName:   appName,
		Heading:   "Your sign-in code",
		Body:      "Enter this code to sign in to " + appName + ":",
		Code:      strings.TrimSpace(d.Code),
		Info:      info,
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
	subject = brandedSubject(d.Branding, "Sign in to "+appName)
	info := "If you did not ask to sign in, you can ignore this email."
	if d.ExpiresInMinutes > 0 {
		info = "This link expires in " + minutes(d.ExpiresInMinutes) + " and works only once. " + info
	}
	color := cssColor(d.Branding.PrimaryColor)
	v := view{
		Title:      subject,
		Preheader:  "Your sign-in link for " + appName,
		AppName:    appName,
		Heading:    orDefault(d.HeaderText, "Sign in to "+appName),
		Body:       orDefault(d.BodyText, "Click the button below to sign in to "+appName+"."),
		URL:        d.URL,
		LinkText:   orDefault(oneLine(d.LinkText), "Sign in"),
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
	text := code + " is your " + appName + " code."
	if d.ExpiresInMinutes > 0 {
		text += " It expires in " + minutes(d.ExpiresInMinutes) + "."
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

func minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}
