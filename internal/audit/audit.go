package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Log records and queries audit events.
type Log struct {
	store storage.Store
	keys  *secret.Keys
	now   func() time.Time
	// httpsOnly refuses webhook URLs that would send events (user ids, addresses, user
	// agents) in the clear; production sets it.
	httpsOnly bool
}

// RequireHTTPS makes SetWebhook refuse plain http URLs, and returns l.
func (l *Log) RequireHTTPS() *Log {
	l.httpsOnly = true
	return l
}

// New returns a Log. now may be nil for time.Now.
func New(store storage.Store, keys *secret.Keys, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{store: store, keys: keys, now: now}
}

// Record appends e through st, which is the transaction's store when the event belongs to a
// change being made, so the event is kept exactly when the change is. When the tenant has a
// webhook, the event is also queued for delivery in the same transaction.
func (l *Log) Record(ctx context.Context, st storage.Store, e model.AuditEvent) error {
	if st == nil {
		st = l.store
	}
	if e.ID == "" {
		e.ID = model.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = l.now().UTC().Truncate(time.Millisecond)
	}
	if err := st.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	t, err := st.GetTenant(ctx, e.TenantID)
	if err != nil || t.WebhookURL == "" {
		return nil // no tenant record (should not happen) or no webhook: nothing to deliver
	}
	body, err := json.Marshal(EventJSON(e))
	if err != nil {
		return fmt.Errorf("encode audit event: %w", err)
	}
	m, err := delivery.SealMessage(l.keys, model.OutboxMessage{
		ID: model.NewID(), TenantID: e.TenantID, Kind: model.MessageAuditWebhook, To: t.WebhookURL,
		Subject: e.Type, Text: string(body), NextAttemptAt: e.CreatedAt, CreatedAt: e.CreatedAt,
	})
	if err != nil {
		return err
	}
	return st.EnqueueMessage(ctx, m)
}

// Event is an audit event as the API and the webhook show it.
type Event struct {
	ID        string          `json:"event_id"`
	Type      string          `json:"type"`
	TenantID  string          `json:"tenant_id"`
	AppID     string          `json:"app_id,omitempty"`
	ClientID  string          `json:"client_id,omitempty"`
	UserID    string          `json:"user_id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Outcome   string          `json:"outcome,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	IPAddress string          `json:"ip_address,omitempty"`
	UserAgent string          `json:"user_agent,omitempty"`
	Details   json.RawMessage `json:"details,omitempty"`
	CreatedAt int64           `json:"created_at"` // Unix milliseconds
}

// EventJSON converts a stored event for display.
func EventJSON(e model.AuditEvent) Event {
	return Event{
		ID: e.ID, Type: e.Type, TenantID: e.TenantID, AppID: e.AppID, ClientID: e.ClientID,
		UserID: e.UserID, Method: e.Method, Outcome: e.Outcome, Reason: e.Reason,
		IPAddress: e.IPAddress, UserAgent: e.UserAgent, Details: e.Details,
		CreatedAt: e.CreatedAt.UnixMilli(),
	}
}

// Query is an administrator's search of the log.
type Query struct {
	AppID, UserID, Type string
	// SessionRef follows one session: the events whose details name it. It needs UserID,
	// the session's user, which bounds the search to that user's events.
	SessionRef    string
	Since, Until  time.Time
	Offset, Limit int
	// After, when set, is the id of the last event of the page before: the page starts
	// after it, at the cost of a first page however deep. It does not combine with Offset.
	After string
}

// Bounds of a search's cost, which must not grow with the length of the log.
const (
	// MaxPageOffset is the largest page_offset a search takes; deeper pages are read after
	// an event (Query.After).
	MaxPageOffset = 10000
	// MaxCounted is where a search's total stops: a search that matches more events
	// reports this many.
	MaxCounted = 10000
)

// Search returns one page of the caller's tenant's events, newest first, and the total (up to
// MaxCounted).
func (l *Log) Search(ctx context.Context, c model.Caller, q Query) ([]model.AuditEvent, int, error) {
	var p []string
	switch {
	case q.Offset < 0:
		p = append(p, "page_offset must not be negative")
	case q.Offset > MaxPageOffset:
		p = append(p, "page_offset must be at most "+strconv.Itoa(MaxPageOffset)+
			"; to read further, pass page_info.end_cursor of a page as page_cursor to get the page after it")
	case q.Offset > 0 && q.After != "":
		p = append(p, "page_offset does not combine with page_cursor, which says where the page starts")
	}
	if q.Limit < 0 || q.Limit > 1000 {
		p = append(p, "page_limit must be between 1 and 1000")
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		p = append(p, "since must be before until")
	}
	if q.SessionRef != "" && q.UserID == "" {
		p = append(p, "session_ref needs user_id, the session's user")
	}
	if len(p) > 0 {
		return nil, 0, fault.Validation(p...)
	}
	list, total, err := l.store.ListAudit(ctx, model.AuditQuery{
		TenantID: c.TenantID, AppID: q.AppID, UserID: q.UserID, Type: q.Type, SessionRef: q.SessionRef,
		Since: q.Since, Until: q.Until, Offset: q.Offset, Limit: q.Limit,
		After: q.After, CountUpTo: MaxCounted,
	})
	if err != nil {
		return nil, 0, fault.Wrap(err, "list audit events")
	}
	return list, total, nil
}

// maxWebhookURLLen bounds a webhook URL, which every audit event's outbox row copies.
const maxWebhookURLLen = 2048

// droppedReason is the LastError of an event dropped because its webhook changed.
const droppedReason = "dropped: the tenant's webhook changed before delivery"

// SetWebhook points the tenant's audit events at url, signed with a new secret that is
// returned once (Standard Webhooks' whsec_ form). An empty url turns delivery off.
//
// Events still queued for the previous webhook are dropped, in the same transaction, and the
// drop is itself recorded (EventWebhookDropped, queued to the new webhook if there is one).
// They are neither sent to the old URL, which the tenant has just stopped trusting (it may be
// the reason for the change), nor re-addressed to the new one, whose owner may not be the old
// one's; the full events stay in the audit log for anyone who needs them. The sender also
// refuses an event whose URL is no longer the tenant's, for one leased during the change.
func (l *Log) SetWebhook(ctx context.Context, c model.Caller, rawURL string) (string, error) {
	rawURL = strings.TrimSpace(rawURL)
	var whsec string
	var sealed []byte
	if rawURL != "" {
		if len(rawURL) > maxWebhookURLLen {
			return "", fault.Validation("url must be at most 2048 characters")
		}
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
			return "", fault.Validation("url must be an absolute http(s) URL without credentials or fragment")
		}
		if l.httpsOnly && u.Scheme != "https" {
			return "", fault.Validation("url must use https")
		}
		whsec = secret.NewWebhookSecret()
		if sealed, err = l.keys.Seal([]byte(whsec), sealing.WebhookAD(c.TenantID)); err != nil {
			return "", fault.Wrap(err, "seal webhook secret")
		}
	}
	err := l.store.InTx(ctx, func(tx storage.Store) error {
		err := tx.UpdateTenant(ctx, c.TenantID, func(t model.Tenant) (model.Tenant, error) {
			t.WebhookURL, t.WebhookSecret = rawURL, sealed
			return t, nil
		})
		if err != nil {
			return fault.Wrap(err, "update tenant")
		}
		n, err := tx.DropMessages(ctx, c.TenantID, model.MessageAuditWebhook, droppedReason)
		if err != nil {
			return fault.Wrap(err, "drop queued webhook events")
		}
		if n == 0 {
			return nil
		}
		details, _ := json.Marshal(map[string]int64{"dropped": n})
		return l.Record(ctx, tx, model.AuditEvent{
			TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, Type: model.EventWebhookDropped,
			Method: "webhook.change", Outcome: "success", Details: details,
		})
	})
	if err != nil {
		return "", err
	}
	return whsec, nil
}

// Webhook returns a tenant's current webhook URL and signing secret, read from the database
// rather than a node's copy, for the delivering sender.
func (l *Log) Webhook(ctx context.Context, tenantID string) (url, whsec string, err error) {
	t, err := l.store.GetTenant(storage.Fresh(ctx), tenantID)
	if err != nil {
		return "", "", fmt.Errorf("get tenant: %w", err)
	}
	if len(t.WebhookSecret) == 0 {
		return "", "", errors.New("tenant has no webhook")
	}
	plain, err := l.keys.Open(t.WebhookSecret, sealing.WebhookAD(tenantID))
	if err != nil {
		return "", "", fmt.Errorf("open webhook secret: %w", err)
	}
	return t.WebhookURL, string(plain), nil
}
