package portal

import (
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/fault"
)

// overviewWindow is the time the overview looks back over.
const overviewWindow = 24 * time.Hour

// overviewPage is the data of the overview.
type overviewPage struct {
	audit.Overview
	AppNames map[string]string
}

// methodNames name the login methods (AMR values) the audit log records.
var methodNames = map[string]string{
	"eotp": "Email code", "eml": "Magic link", "sms": "SMS code", "pwd": "Password",
	"webauthn": "Passkey", "otp": "Authenticator app (TOTP)", "mfa": "Multi-factor",
}

// overview is the portal's landing page: the last day's logins per method and failures, the
// identifiers locked out now and what the outbox still owes, from the audit log, the lockouts
// and the outbox (audit.Log.Overview, each read bounded by the window or by what is in force).
func (p *Portal) overview(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if p.cfg.Audit == nil {
		return fault.New(fault.NotFound, "no_audit_log", "this portal has no audit log")
	}
	o, err := p.cfg.Audit.Overview(r.Context(), s.caller(), overviewWindow)
	if err != nil {
		return err
	}
	apps, err := p.cfg.Tenancy.ListApplications(r.Context(), s.caller())
	if err != nil {
		return err
	}
	pg := overviewPage{Overview: o, AppNames: make(map[string]string, len(apps))}
	for _, a := range apps {
		pg.AppNames[a.ID] = a.Name
	}
	p.render(w, r, http.StatusOK, "overview", view{Title: "Overview", Admin: s, Nav: "overview", Data: pg})
	return nil
}
