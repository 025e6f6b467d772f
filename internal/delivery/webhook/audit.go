package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

// TenantWebhook returns a tenant's current webhook URL and signing secret ("whsec_...").
type TenantWebhook func(ctx context.Context, tenantID string) (url, whsec string, err error)

// AuditSender delivers audit events (outbox messages of kind model.MessageAuditWebhook) to
// each tenant's own webhook: the message's To is the URL it was queued for and its Text the
// JSON event. The tenant's webhook is read at each delivery: an event whose URL is no longer
// the tenant's is given up (the tenant changed or removed its webhook; see audit.SetWebhook),
// so an event never reaches a URL the tenant has left, signed with the secret of another.
// The signature's timestamp is the delivery's.
type AuditSender struct {
	secrets TenantWebhook
	client  *http.Client
	now     func() time.Time
}

// AuditTimeout bounds one audit delivery. It is short because audit events share the outbox
// with one-time codes: a tenant's slow endpoint must not hold up other tenants' sign-in email.
const AuditTimeout = 5 * time.Second

// NewAuditSender returns an AuditSender. Tenants configure the URLs, so unless allowInternal
// (development) it refuses to connect to loopback, private and link-local addresses. client
// may be nil for that default client; tests pass their own.
func NewAuditSender(secrets TenantWebhook, client *http.Client, allowInternal bool) *AuditSender {
	if client == nil {
		client = tenantClient(AuditTimeout, allowInternal)
	}
	return &AuditSender{secrets: secrets, client: client, now: time.Now}
}

// Send delivers one audit event.
func (s *AuditSender) Send(ctx context.Context, m model.OutboxMessage) error {
	if err := CheckURL(m.To); err != nil {
		return delivery.Permanent(err)
	}
	current, whsec, err := s.secrets(ctx, m.TenantID)
	if err != nil {
		// The tenant turned its webhook off (or is gone) after the event was queued.
		return delivery.Permanent(fmt.Errorf("webhook: tenant webhook: %w", err))
	}
	if current != m.To {
		return delivery.Permanent(errors.New("webhook: the tenant's webhook changed after the event was queued; dropped"))
	}
	key, err := ParseSecret(whsec)
	if err != nil {
		return delivery.Permanent(err)
	}
	return post(ctx, s.client, m.To, key, m.ID, s.now(), []byte(m.Text))
}
