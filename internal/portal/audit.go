package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// auditPage is the data of the audit log page.
type auditPage struct {
	Filter     auditFilter
	Events     []model.AuditEvent
	Apps       []tenancy.AppView
	AppNames   map[string]string
	Types      []string
	Total      int
	HasPrev    bool
	HasNext    bool
	Prev, Next string
}

// auditFilter is the page's filter form, as typed.
type auditFilter struct {
	User, App, Type, Since, Until string
	// Session follows one session (its reference); it needs User, the session's user.
	Session string
	Offset  int
}

// eventTypes are the types the filter offers.
var eventTypes = []string{
	model.EventLoginSucceeded, model.EventLoginFailed, model.EventCodeSent, model.EventLockout, model.EventRateLimited,
	model.EventSessionCreated, model.EventSessionFactor, model.EventSessionRefresh, model.EventSessionEnded,
	model.EventTokenReuse, model.EventAdminChange, model.EventClientTokenFail,
}

// auditLog shows the tenant's audit events, newest first, filtered by user, application, type
// day and session, through the API's own search.
func (p *Portal) auditLog(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if p.cfg.Audit == nil {
		return fault.New(fault.NotFound, "no_audit_log", "this portal has no audit log")
	}
	q := r.URL.Query()
	f := auditFilter{User: strings.TrimSpace(q.Get("user")), App: q.Get("app"), Type: q.Get("type"),
		Since: q.Get("since"), Until: q.Get("until"), Session: strings.TrimSpace(q.Get("session"))}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Offset = max(f.Offset, 0)
	query := audit.Query{UserID: f.User, AppID: f.App, Type: f.Type, SessionRef: f.Session, Offset: f.Offset, Limit: pageSize}
	var probs []string
	day := func(field, v string, end bool) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			probs = append(probs, field+" must be a date")
			return time.Time{}
		}
		if end {
			t = t.Add(24 * time.Hour) // the whole day named
		}
		return t
	}
	query.Since, query.Until = day("from", f.Since, false), day("to", f.Until, true)
	apps, err := p.cfg.Tenancy.ListApplications(r.Context(), s.caller())
	if err != nil {
		return err
	}
	pg := auditPage{Filter: f, Apps: apps, AppNames: map[string]string{}, Types: eventTypes}
	for _, a := range apps {
		pg.AppNames[a.ID] = a.Name
	}
	if len(probs) == 0 {
		pg.Events, pg.Total, err = p.cfg.Audit.Search(r.Context(), s.caller(), query)
		if fault.Is(err, fault.Invalid) {
			probs = problems(fault.As(err))
		} else if err != nil {
			return err
		}
	}
	page := func(off int) string {
		v := url.Values{"user": {f.User}, "app": {f.App}, "type": {f.Type}, "since": {f.Since}, "until": {f.Until}, "session": {f.Session}, "offset": {strconv.Itoa(off)}}
		return Prefix + "/audit?" + v.Encode()
	}
	pg.HasPrev, pg.Prev = f.Offset > 0, page(max(f.Offset-pageSize, 0))
	pg.HasNext, pg.Next = f.Offset+len(pg.Events) < pg.Total, page(f.Offset+pageSize)
	p.render(w, r, http.StatusOK, "audit", view{Title: "Audit log", Admin: s, Nav: "audit", Problems: probs, Data: pg})
	return nil
}
