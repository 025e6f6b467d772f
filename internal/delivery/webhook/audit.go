package webhook

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

// TenantSecrets returns a tenant's webhook signing secret ("whsec_...").
type TenantSecrets func(ctx context.Context, tenantID string) (string, error)

// AuditSender delivers audit events (outbox messages of kind model.MessageAuditWebhook) to
// each tenant's own webhook: the message's To is the URL and its Text the JSON event. The
// tenant's secret is read at each delivery, so a secret replaced after the event was queued
// still signs it, and the signature's timestamp is the delivery's.
type AuditSender struct {
	secrets TenantSecrets
	client  *http.Client
	now     func() time.Time
}

// AuditTimeout bounds one audit delivery. It is short because audit events share the outbox
// with one-time codes: a tenant's slow endpoint must not hold up other tenants' sign-in email.
const AuditTimeout = 5 * time.Second

// NewAuditSender returns an AuditSender. Tenants configure the URLs, so unless allowInternal
// (development) it refuses to connect to loopback, private and link-local addresses. client
// may be nil for that default client; tests pass their own.
func NewAuditSender(secrets TenantSecrets, client *http.Client, allowInternal bool) *AuditSender {
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
	whsec, err := s.secrets(ctx, m.TenantID)
	if err != nil {
		// The tenant turned its webhook off (or is gone) after the event was queued.
		return delivery.Permanent(fmt.Errorf("webhook: tenant secret: %w", err))
	}
	key, err := ParseSecret(whsec)
	if err != nil {
		return delivery.Permanent(err)
	}
	return post(ctx, s.client, m.To, key, m.ID, s.now(), []byte(m.Text))
}
