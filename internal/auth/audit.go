package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Auditor records audit events (package audit implements it). st is the store of the
// transaction the event belongs to, or nil for one of its own.
type Auditor interface {
	Record(ctx context.Context, st storage.Store, e model.AuditEvent) error
}

// Event is what a flow knows about one audit Event.
type Event struct {
	Type, Method, UserID string
	Attrs                model.ClientAttributes
	Err                  error // the failure, if any: its code becomes the reason
	Details              map[string]any
}

// Record writes one audit event for the caller through st.
func (s *Service) Record(ctx context.Context, st storage.Store, c model.Caller, ev Event, now time.Time) (err error) {
	ctx, span := s.step(ctx, "auth.record")
	defer func() { span.End(err) }()
	s.countLogin(ev)
	if s.opts.Audit == nil {
		return nil
	}
	e := model.AuditEvent{
		TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: ev.UserID,
		Type: ev.Type, Method: ev.Method, Outcome: "success",
		IPAddress: ev.Attrs.IPAddress, UserAgent: ev.Attrs.UserAgent, CreatedAt: now,
	}
	if ev.Err != nil {
		e.Outcome = "failure"
		var fe *fault.Error
		if errors.As(ev.Err, &fe) {
			e.Reason = fe.Code
		}
	}
	details := ev.Details
	if ev.Attrs.DeviceID != "" || ev.Attrs.OrgID != "" {
		// The request's device and organization, as the backend named them.
		details = make(map[string]any, len(ev.Details)+2)
		for k, v := range ev.Details {
			details[k] = v
		}
		if ev.Attrs.DeviceID != "" {
			details["device_id"] = ev.Attrs.DeviceID
		}
		if ev.Attrs.OrgID != "" {
			details["org_id"] = ev.Attrs.OrgID
		}
	}
	if len(details) > 0 {
		e.Details, _ = json.Marshal(details)
	}
	return s.opts.Audit.Record(ctx, st, e)
}

// SessionKey returns the reference of a session id a backend presented (what the session is
// stored under), or false for a string no session id has. Every session id that comes in goes
// through it: the stored reference is never accepted in its place, since tokens carry it.
func (s *Service) SessionKey(id string) (string, bool) {
	if !model.ValidID(id) {
		return "", false
	}
	return s.keys.SessionRef(id), true
}

// LoginEvent is the audit event of an authentication attempt: a success, a lockout, or
// another failure.
func LoginEvent(method, userID string, attrs model.ClientAttributes, failure error, is Issued) Event {
	ev := Event{Type: model.EventLoginSucceeded, Method: method, UserID: userID, Attrs: attrs, Err: failure}
	switch {
	case fault.Is(failure, fault.Locked):
		ev.Type = model.EventLockout
	case failure != nil:
		ev.Type = model.EventLoginFailed
	default:
		ev.UserID = is.Session.UserID
		ev.Details = map[string]any{"session_ref": is.Session.ID, "factors": len(is.Session.Factors)}
	}
	return ev
}

// RecordRejected records a rejected send or login that wrote nothing else (a rate limit, say)
// in its own small transaction. Failing to record it must not hide the rejection, so errors
// only reach the log through the returned error being ignored by callers that prefer the
// original error.
func (s *Service) RecordRejected(ctx context.Context, c model.Caller, ev Event) {
	_ = s.Record(ctx, nil, c, ev, s.Now())
}

// RecordLimited records a send refused by a rate limit.
func (s *Service) RecordLimited(ctx context.Context, c model.Caller, err error, channel string, attrs model.ClientAttributes) {
	if fault.Is(err, fault.RateLimited) {
		s.RecordRejected(ctx, c, Event{Type: model.EventRateLimited, Method: channel, Attrs: attrs, Err: err})
	}
}
