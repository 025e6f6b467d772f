package delivery

import (
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
)

// ResetMessage is what a password reset says: a code to type, or a link to follow.
type ResetMessage struct {
	Texts            *Texts
	Language         string
	AppName          string
	Code             string // set for a code, or
	URL              string // set for a link
	ExpiresInMinutes int
	Branding         model.MessageBranding
}

// RenderResetEmail renders the subject, text and HTML of a password reset email, in the
// layout of a sign-in code or of a magic link.
func RenderResetEmail(d ResetMessage) (subject, text, html string, err error) {
	appName := oneLine(d.AppName)
	if appName == "" {
		return "", "", "", errors.New("render reset email: app name is required")
	}
	w := d.Texts.in(d.Language)
	b := d.Branding
	b.Subject = orDefault(b.Subject, w.say("reset.subject", "app", appName))
	expiry := w.say("reset.expires", "minutes", w.minutes(d.ExpiresInMinutes))
	ignore := w.say("reset.ignore", "app", appName)
	if d.URL != "" {
		return RenderMagicLinkEmail(LinkEmail{
			Texts: d.Texts, Language: d.Language, AppName: appName, URL: d.URL, Branding: b,
			HeaderText: w.say("reset.heading", "app", appName),
			BodyText:   w.say("reset.body_link", "app", appName),
			LinkText:   w.say("reset.button", "app", appName),
			InfoText:   w.say("reset.once") + " " + expiry + " " + ignore,
		})
	}
	return RenderOTPEmail(OTPEmail{
		Texts: d.Texts, Language: d.Language, AppName: appName, Code: d.Code, Branding: b,
		HeadingText: w.say("reset.heading", "app", appName),
		BodyText:    w.say("reset.body_code", "app", appName),
		InfoText:    expiry + " " + ignore,
	})
}

// RenderResetSMS renders the text of a password reset SMS. A code comes first, so that
// phones can offer to fill it in.
func RenderResetSMS(d ResetMessage) string {
	w := d.Texts.in(d.Language)
	appName := oneLine(d.AppName)
	expiry := w.say("sms.expires", "minutes", w.minutes(d.ExpiresInMinutes))
	if d.URL != "" {
		return w.say("sms.reset_link", "app", appName, "link", d.URL) + " " + expiry
	}
	return w.say("sms.reset_code", "code", strings.TrimSpace(d.Code), "app", appName) + " " + expiry
}
