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

// event is what a flow knows about one audit event.
type event struct {
	typ, method, userID string
	attrs               model.ClientAttributes
	err                 error // the failure, if any: its code becomes the reason
	details             map[string]any
}

// record writes one audit event for the caller through st.
func (s *Service) record(ctx context.Context, st storage.Store, c model.Caller, ev event, now time.Time) error {
	if s.opts.Audit == nil {
		return nil
	}
	e := model.AuditEvent{
		TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: ev.userID,
		Type: ev.typ, Method: ev.method, Outcome: "success",
		IPAddress: ev.attrs.IPAddress, UserAgent: ev.attrs.UserAgent, CreatedAt: now,
	}
	if ev.err != nil {
		e.Outcome = "failure"
		var fe *fault.Error
		if errors.As(ev.err, &fe) {
			e.Reason = fe.Code
		}
	}
	if len(ev.details) > 0 {
		e.Details, _ = json.Marshal(ev.details)
	}
	return s.opts.Audit.Record(ctx, st, e)
}

// sessionKey returns the reference of a session id a backend presented (what the session is
// stored under), or false for a string no session id has. Every session id that comes in goes
// through it: the stored reference is never accepted in its place, since tokens carry it.
func (s *Service) sessionKey(id string) (string, bool) {
	if !model.ValidID(id) {
		return "", false
	}
	return s.keys.SessionRef(id), true
}

// loginEvent is the audit event of an authentication attempt: a success, a lockout, or
// another failure.
func loginEvent(method, userID string, attrs model.ClientAttributes, failure error, is issued) event {
	ev := event{typ: model.EventLoginSucceeded, method: method, userID: userID, attrs: attrs, err: failure}
	switch {
	case fault.Is(failure, fault.Locked):
		ev.typ = model.EventLockout
	case failure != nil:
		ev.typ = model.EventLoginFailed
	default:
		ev.userID = is.session.UserID
		ev.details = map[string]any{"session_ref": is.session.ID, "factors": len(is.session.Factors)}
	}
	return ev
}

// recordRejected records a rejected send or login that wrote nothing else (a rate limit, say)
// in its own small transaction. Failing to record it must not hide the rejection, so errors
// only reach the log through the returned error being ignored by callers that prefer the
// original error.
func (s *Service) recordRejected(ctx context.Context, c model.Caller, ev event) {
	_ = s.record(ctx, nil, c, ev, s.now())
}

// recordLimited records a send refused by a rate limit.
func (s *Service) recordLimited(ctx context.Context, c model.Caller, err error, channel string, attrs model.ClientAttributes) {
	if fault.Is(err, fault.RateLimited) {
		s.recordRejected(ctx, c, event{typ: model.EventRateLimited, method: channel, attrs: attrs, err: err})
	}
}
