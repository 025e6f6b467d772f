package model

import "time"

// Outbox message kinds.
const (
	MessageEmail = "email"
	MessageSMS   = "sms"
	// MessageAuditWebhook carries one audit event to its tenant's webhook; To is the URL and
	// Text the JSON body, signed at delivery time.
	MessageAuditWebhook = "audit_webhook"
	// MessageSuppressed stands in for the message of a send answered with a decoy, so that the
	// send writes what a real one does. It has no recipient; the worker hands it to a sender
	// that sends nothing (delivery.Discard).
	MessageSuppressed = "suppressed"
)

// OutboxMessage is a message waiting for delivery. It is written in the same transaction as
// whatever caused it (a one-time code, say), and a worker delivers it with retries, so a crash
// or an SMTP outage loses nothing.
//
// Subject, Text and HTML carry codes and sign-in links, so they are never stored in the clear:
// the enqueuer seals them into Sealed (delivery.SealMessage) and only the delivery worker opens
// them again. Stores refuse a message whose Subject, Text or HTML is set.
type OutboxMessage struct {
	ID            string
	TenantID      string
	Kind          string
	To            string
	From          string
	Subject       string
	Text          string
	HTML          string
	Sealed        []byte
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    *time.Time // set while a worker holds the message
	LastError     string
	DeliveredAt   *time.Time
	CreatedAt     time.Time
}
