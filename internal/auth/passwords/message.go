package passwords

import (
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// resetContent is what a reset message carries: a code to type, or a link to follow, in the
// user's language.
type resetContent struct {
	appName  string
	code     string
	link     string
	minutes  int
	language string
}

// resetMessage renders the outbox message of a reset: an email or an SMS. The direct channel
// sends nothing.
func resetMessage(texts *delivery.Texts, tenantID, channel, to string, rc resetContent, b model.MessageBranding, now time.Time) (*model.OutboxMessage, error) {
	m := model.OutboxMessage{ID: model.NewID(), TenantID: tenantID, To: to, NextAttemptAt: now, CreatedAt: now}
	d := delivery.ResetMessage{
		Texts: texts, Language: rc.language, AppName: rc.appName, Code: rc.code, URL: rc.link,
		ExpiresInMinutes: rc.minutes, Branding: b,
	}
	switch channel {
	case model.ChannelEmail:
		subject, text, body, err := delivery.RenderResetEmail(d)
		if err != nil {
			return nil, fault.Wrap(err, "render reset email")
		}
		m.Kind, m.From, m.Subject, m.Text, m.HTML = model.MessageEmail, b.From, subject, text, body
	case model.ChannelSMS:
		m.Kind, m.Text = model.MessageSMS, delivery.RenderResetSMS(d)
	default:
		return nil, nil
	}
	return &m, nil
}
