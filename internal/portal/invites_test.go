package portal_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/model"
)

var inviteToken = regexp.MustCompile(`/admin/invite\?token=([A-Za-z0-9._~-]+)`)

// invite sends an invitation to email through the page and returns the token its email carries.
func (s *site) invite(c *http.Cookie, email string) string {
	t := s.t
	t.Helper()
	_, page := s.send("GET", "/admin/invites", nil, c, nil)
	res, body := s.send("POST", "/admin/invites", url.Values{"csrf": {csrfOf(t, page)}, "email": {email}}, c, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", res.StatusCode, body)
	}
	msgs := s.f.Messages(email)
	if len(msgs) == 0 {
		t.Fatalf("no email queued for %s", email)
	}
	m := inviteToken.FindStringSubmatch(msgs[len(msgs)-1].Text)
	if m == nil {
		t.Fatalf("no invitation link in %q", msgs[len(msgs)-1].Text)
	}
	return m[1]
}

func (s *site) accept(token string, headers map[string]string) *http.Response {
	s.t.Helper()
	res, _ := s.send("POST", "/admin/invite", url.Values{"token": {token}}, nil, headers)
	return res
}

func TestInvitationIsOneTimeAndAudited(t *testing.T) {
	s := newSite(t)
	c := s.signIn()

	// Without the session's token nothing is sent.
	res, _ := s.send("POST", "/admin/invites", url.Values{"email": {"eve@example.com"}}, c, nil)
	if res.StatusCode != http.StatusForbidden || len(s.f.Messages("eve@example.com")) != 0 {
		t.Fatalf("an invitation without the CSRF token answered %d", res.StatusCode)
	}

	token := s.invite(c, "bob@example.com")
	// The link's page spends nothing (a mail scanner may fetch it); only the button does.
	for i := 0; i < 2; i++ {
		if res, body := s.send("GET", "/admin/invite?token="+url.QueryEscape(token), nil, nil, nil); res.StatusCode != 200 || !strings.Contains(body, "bob@example.com") {
			t.Fatalf("invitation page: %d", res.StatusCode)
		}
	}
	if res := s.accept(token, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site acceptance answered %d", res.StatusCode)
	}
	if res := s.accept(token[:len(token)-2]+"xx", nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a token with a wrong secret answered %d", res.StatusCode)
	}
	res = s.accept(token, nil)
	bob := cookieOf(res, "__Host-latchkey_admin")
	if res.StatusCode != http.StatusSeeOther || bob == nil {
		t.Fatalf("accepting answered %d", res.StatusCode)
	}
	if res, body := s.send("GET", "/admin/apps", nil, bob, nil); res.StatusCode != 200 || !strings.Contains(body, "bob@example.com") {
		t.Fatalf("the invited administrator's session: %d", res.StatusCode)
	}
	if res := s.accept(token, nil); res.StatusCode != http.StatusBadRequest || cookieOf(res, "__Host-latchkey_admin") != nil {
		t.Fatalf("an invitation accepted twice answered %d", res.StatusCode)
	}

	// A revoked invitation, and an expired one, no longer work.
	revoked := s.invite(c, "carol@example.com")
	_, page := s.send("GET", "/admin/invites", nil, c, nil)
	id := strings.Split(revoked, ".")[1]
	if res, _ := s.send("POST", "/admin/invites/"+id+"/revoke", url.Values{"csrf": {csrfOf(t, page)}}, c, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke answered %d", res.StatusCode)
	}
	if res := s.accept(revoked, nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a revoked invitation answered %d", res.StatusCode)
	}
	expired := s.invite(c, "dan@example.com")
	s.f.Clock.Advance(admins.InviteTTL)
	if res := s.accept(expired, nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("an expired invitation answered %d", res.StatusCode)
	}
	c = s.signIn()
	if _, body := s.send("GET", "/admin/invites", nil, c, nil); !strings.Contains(body, ">accepted<") || !strings.Contains(body, ">revoked<") || !strings.Contains(body, ">expired<") {
		t.Fatal("the invitations page does not show each invitation's state")
	}

	// The acceptance is recorded with who invited.
	events, _, err := audit.New(s.f.Store, s.f.Keys, s.f.Clock.Now).Search(s.f.Ctx, s.f.Admin, audit.Query{Type: model.EventAdminChange, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range events {
		var d map[string]any
		_ = json.Unmarshal(e.Details, &d)
		if e.Method == "admin.invite_accept" && d["invited_by_email"] == "ada@example.com" && d["admin_email"] == "bob@example.com" {
			found = true
		}
	}
	if !found {
		t.Fatal("no admin.invite_accept event naming the inviting administrator")
	}
}
