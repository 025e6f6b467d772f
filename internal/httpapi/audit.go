package httpapi

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func (s *Server) auditRoutes() {
	s.handle("GET", "/cis/v1/audit", AdminToken, s.searchAudit)
	s.handle("PUT", "/cis/v1/audit/webhook", AdminToken, s.setAuditWebhook)
	s.handle("DELETE", "/cis/v1/audit/webhook", AdminToken, s.deleteAuditWebhook)
}

// defaultAuditPage is the page size of an audit search without page_limit.
const defaultAuditPage = 100

func (s *Server) searchAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var problems []string
	num := func(name string) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, name+" must be a whole number")
		}
		return n
	}
	when := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC()
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			problems = append(problems, name+" must be Unix milliseconds or an RFC 3339 time")
		}
		return t
	}
	query := audit.Query{
		AppID: q.Get("app_id"), UserID: q.Get("user_id"), Type: q.Get("type"), SessionRef: q.Get("session_ref"),
		Since: when("since"), Until: when("until"),
		Offset: num("page_offset"), Limit: num("page_limit"), After: q.Get("page_cursor"),
	}
	if len(problems) > 0 {
		return fault.Validation(problems...)
	}
	list, total, err := s.cfg.Audit.Search(r.Context(), callerOf(r), query)
	if err != nil {
		return err
	}
	out := make([]audit.Event, len(list))
	for i, e := range list {
		out[i] = audit.EventJSON(e)
	}
	// As for users: the total tells whether more follow, unless the page starts after a
	// cursor or the count stopped at its bound; then a full page is taken to have more.
	hasNext := query.Offset+len(list) < total
	if query.After != "" || total >= audit.MaxCounted {
		hasNext = len(list) >= cmp.Or(query.Limit, defaultAuditPage)
	}
	info := pageInfoJSON{HasNextPage: hasNext, HasPreviousPage: query.Offset > 0 || query.After != ""}
	if hasNext && len(list) > 0 {
		info.EndCursor = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out, "total_count": total, "page_info": info})
	return nil
}

type webhookJSON struct {
	URL string `json:"url"`
}

func (s *Server) setAuditWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.URL) == "" {
		return fault.Validation("url is required")
	}
	sec, err := s.cfg.Audit.SetWebhook(r.Context(), callerOf(r), in.URL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": map[string]string{"url": in.URL, "secret": sec}})
	return nil
}

func (s *Server) deleteAuditWebhook(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.cfg.Audit.SetWebhook(r.Context(), callerOf(r), ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recordChange writes an admin.change audit event for a successful write through the admin or
// users API. Authentication flows record their own, richer events.
func (s *Server) recordChange(r *http.Request, rt Route) {
	if s.cfg.Audit == nil || r.Method == "GET" {
		return
	}
	if rt.Access != AdminToken && !strings.HasPrefix(rt.Pattern, "/cis/v1/users") && !appConfigRoute(rt.Pattern) {
		return
	}
	c := callerOf(r)
	e := model.AuditEvent{
		TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: r.PathValue("user_id"),
		Type: model.EventAdminChange, Method: rt.Method + " " + rt.Pattern, Outcome: "success",
		IPAddress: clientIP(r), UserAgent: cleanUserAgent(r.UserAgent()),
	}
	if err := s.cfg.Audit.Record(r.Context(), nil, e); err != nil {
		loggerFrom(r.Context()).Error("audit record failed", "err", err)
	}
}

// cleanUserAgent makes a request's User-Agent header fit an audit event: valid UTF-8 (a
// database may refuse anything else, and the change would go unaudited) and no longer than the
// user agents of client attributes.
func cleanUserAgent(ua string) string {
	ua = strings.ToValidUTF8(strings.ReplaceAll(ua, "\x00", ""), "\uFFFD")
	if r := []rune(ua); len(r) > model.MaxUserAgentLen {
		ua = string(r[:model.MaxUserAgentLen])
	}
	return ua
}
