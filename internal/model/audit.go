package model

import (
	"encoding/json"
	"time"
)

// Audit event types. Every authentication success and failure, send, lockout, session change
// and admin change is recorded as one of these.
const (
	EventLoginSucceeded  = "login.succeeded"
	EventLoginFailed     = "login.failed"
	EventCodeSent        = "code.sent"
	EventLockout         = "lockout"
	EventRateLimited     = "rate_limited"
	EventSessionCreated  = "session.created"
	EventSessionFactor   = "session.factor_added"
	EventSessionRefresh  = "session.refreshed"
	EventSessionEnded    = "session.ended"
	EventTokenReuse      = "refresh_token.reused"
	EventAdminChange     = "admin.change"
	EventClientTokenFail = "client.authentication_failed"
)

// AuditEvent is one recorded fact. Details holds event-specific JSON (never secrets).
type AuditEvent struct {
	ID        string
	TenantID  string
	AppID     string
	ClientID  string
	UserID    string
	Type      string
	Method    string // an AMR* value, a channel, or an admin action such as "client.create"
	Outcome   string // "success" or "failure"
	Reason    string // an error code for failures
	IPAddress string
	UserAgent string
	Details   json.RawMessage
	CreatedAt time.Time
}

// AuditQuery selects audit events, newest first. Empty fields do not filter.
type AuditQuery struct {
	TenantID string
	AppID    string
	UserID   string
	Type     string
	// SessionRef matches the events whose details name this session (session_ref). The
	// details are not indexed, so it is only taken with UserID: the search reads that user's
	// events, which the (tenant, user, time) index finds.
	SessionRef string
	Since      time.Time // inclusive; zero means no lower bound
	Until      time.Time // exclusive; zero means no upper bound
	Offset     int
	Limit      int
	// After, when set, is the id of an event: the page starts just after it in the order,
	// in place of Offset (a keyset cursor, whose cost does not grow with the depth).
	After string
	// CountUpTo, when positive, bounds the total: the number of matches or CountUpTo,
	// whichever is smaller, so that counting costs the same however long the log is.
	CountUpTo int
}
