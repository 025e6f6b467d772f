package admins

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/model"
)

// Record writes the audit event of a change an administrator made through the portal: an
// admin.change whose method names the action ("application.create", say), whose user is the
// user the change was about (if any), and whose details name the administrator and what
// was changed. A failure to record is returned to no one: the change has been made, and the
// API's own changes are recorded the same way (logged, not undone).
func (s *Service) Record(ctx context.Context, a Admin, action, subjectUserID string, attrs model.ClientAttributes, details map[string]any) error {
	if s.audit == nil {
		return nil
	}
	d := map[string]any{"via": "admin_portal", "admin_user_id": a.UserID, "admin_email": a.Email}
	if a.SessionRef != "" {
		d["admin_session_ref"] = a.SessionRef
	}
	for k, v := range details {
		d[k] = v
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, nil, model.AuditEvent{
		TenantID: a.Caller.TenantID, AppID: a.Caller.AppID, ClientID: a.Caller.ClientID, UserID: subjectUserID,
		Type: model.EventAdminChange, Method: action, Outcome: "success",
		IPAddress: attrs.IPAddress, UserAgent: attrs.UserAgent, Details: raw,
	})
}
