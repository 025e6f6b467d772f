package e2e

import (
	"strings"
	"testing"
)

// The audit search follows a session among its user's events, and refuses one without them.
func TestAuditBySession(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		res := e.do("GET", "/cis/v1/audit?session_ref=s1", admin, nil)
		wantStatus(t, res, 400, "")
		if !strings.Contains(string(res.Body), "session_ref needs user_id") {
			t.Errorf("a session without its user: %s", res.Body)
		}
		res = e.do("GET", "/cis/v1/audit?user_id=u1&session_ref=s1", admin, nil)
		wantStatus(t, res, 200, "")
		res = e.do("GET", "/cis/v1/audit?user_id=u1&session_ref=%00", admin, nil)
		if res.Status >= 500 {
			t.Errorf("a NUL session reference: %d %s", res.Status, res.Body)
		}
	})
}
