package passwords

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// resetContent is what a reset message carries: a code to type, or a link to follow.
type resetContent struct {
	appName string
	code    string
	link    string
	minutes int
}

// resetMessage renders the outbox message of a reset: an email or an SMS. The direct channel
// sends nothing.
func resetMessage(tenantID, channel, to string, rc resetContent, b model.MessageBranding, now time.Time) (*model.OutboxMessage, error) {
	m := model.OutboxMessage{ID: model.NewID(), TenantID: tenantID, To: to, NextAttemptAt: now, CreatedAt: now}
	switch channel {
	case model.ChannelEmail:
		subject, text, body, err := resetEmail(rc, b)
		if err != nil {
			return nil, fault.Wrap(err, "render reset email")
		}
		m.Kind, m.From, m.Subject, m.Text, m.HTML = model.MessageEmail, b.From, subject, text, body
	case model.ChannelSMS:
		m.Kind, m.Text = model.MessageSMS, resetSMS(rc)
	default:
		return nil, nil
	}
	return &m, nil
}

const resetIgnore = "If you did not ask to reset your password, ignore this message: your password stays as it is."

func resetEmail(rc resetContent, b model.MessageBranding) (subject, text, body string, err error) {
	if b.Subject == "" {
		b.Subject = "Reset your " + rc.appName + " password"
	}
	expiry := "It expires in " + plural(rc.minutes, "minute") + ". "
	if rc.link != "" {
		// The magic-link layout with reset wording: a button, its URL in the text part.
		return delivery.RenderMagicLinkEmail(delivery.LinkEmail{
			AppName: rc.appName, URL: rc.link, Branding: b,
			HeaderText: "Reset your password",
			BodyText:   "Someone asked to reset the password of your " + rc.appName + " account. Follow the link to choose a new one.",
			LinkText:   "Choose a new password",
			InfoText:   "The link works once. " + expiry + resetIgnore,
		})
	}
	lines := []string{
		"Reset your password",
		"Enter this code to choose a new password for " + rc.appName + ":",
		rc.code,
		expiry + resetIgnore,
	}
	text = strings.Join([]string{lines[0], lines[1], "    " + lines[2], lines[3]}, "\n\n") + "\n"
	var h strings.Builder
	h.WriteString("<!doctype html><html><body>")
	fmt.Fprintf(&h, "<h1>%s</h1><p>%s</p>", html.EscapeString(lines[0]), html.EscapeString(lines[1]))
	fmt.Fprintf(&h, `<p style="font-size:24px;letter-spacing:4px"><strong>%s</strong></p>`, html.EscapeString(lines[2]))
	fmt.Fprintf(&h, "<p>%s</p></body></html>", html.EscapeString(lines[3]))
	return b.Subject, text, h.String(), nil
}

// resetSMS starts with the code, so that phones can offer to fill it in.
func resetSMS(rc resetContent) string {
	expiry := " It expires in " + plural(rc.minutes, "minute") + "."
	if rc.link != "" {
		return "Reset your " + rc.appName + " password: " + rc.link + expiry
	}
	return rc.code + " is your " + rc.appName + " password reset code." + expiry
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
