package portal_test

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/model"
)

// A user's page links each session to its audit trail, which shows that session's events
// and none of the user's others.
func TestAuditFollowsASession(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	u := s.f.User("gus@example.com", "")
	login := func() {
		s.f.SendOTP(otp.OTPSend{Channel: "email", IdentifierType: "email", Identifier: "gus@example.com"})
		code, _ := s.f.LastCode("gus@example.com")
		if _, err := s.f.AuthenticateOTP("email", "gus@example.com", code); err != nil {
			t.Fatal(err)
		}
	}
	login()
	login()
	sessions, err := s.f.Sessions.ListSessions(s.f.Ctx, s.f.Admin, u.ID)
	if err != nil || len(sessions) != 2 {
		t.Fatalf("sessions: %v %v", sessions, err)
	}
	// The fixture's flows report to a recorder: the events are written as the flows write them.
	mine, theirs := sessions[0].ID, sessions[1].ID
	for i, ref := range []string{mine, theirs, mine} {
		details, _ := json.Marshal(map[string]any{"session_ref": ref, "n": i})
		e := model.AuditEvent{ID: model.NewID(), TenantID: s.f.Boot.TenantID, AppID: s.f.Boot.AppID, UserID: u.ID,
			Type: model.EventSessionRefresh, Details: details, CreatedAt: s.f.Clock.Now()}
		if err := s.f.Store.AppendAudit(s.f.Ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	_, page := s.send("GET", "/admin/users/"+u.ID, nil, c, nil)
	link := `/admin/audit?user=` + u.ID + `&amp;session=` + mine
	if !strings.Contains(page, `href="`+link+`"`) {
		t.Fatalf("the user's page has no audit trail link for session %s", mine)
	}
	res, body := s.send("GET", html.UnescapeString(link), nil, c, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("trail: %d", res.StatusCode)
	}
	if !strings.Contains(body, "2 events") || strings.Contains(body, theirs) {
		t.Errorf("the trail of %s does not show exactly its two events: %.4000s", mine, body)
	}
	// Without its user a session is refused, not searched across the tenant.
	_, body = s.send("GET", "/admin/audit?session="+mine, nil, c, nil)
	if !strings.Contains(body, "session_ref needs user_id") {
		t.Errorf("a session without its user was not refused")
	}
}
