package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// TestListPlansUseIndexes checks, with SQLite's EXPLAIN QUERY PLAN, that the lists whose cost
// must not grow with the data read an index range in the order asked for: the first page, a
// page after a key, prefix and exact searches, and filtered audit pages.
func TestListPlansUseIndexes(t *testing.T) {
	s := NewTestStore(t, false)
	ctx := testContext(t)
	tenant := testTenant()
	mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
	g, err := s.Grow(ctx, Growth{TenantID: tenant.ID, AppID: "app", ClientID: "client", Prefix: "p", Users: 500, AuditEvents: 500})
	mustDo(t, err, "grow")
	explain := func(st statement) string { return sqlitePlan(ctx, t, s, st.sql, st.args...) }
	check := func(what string, st statement, want ...string) {
		t.Helper()
		plan := explain(st)
		for _, w := range want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: plan %q lacks %q", what, plan, w)
			}
		}
		for _, bad := range []string{"SCAN u ", "SCAN users", "SCAN audit_events", "TEMP B-TREE FOR ORDER BY"} {
			if strings.Contains(plan+" ", bad) && !(strings.Contains(what, "search") && bad == "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: plan %q has %q", what, plan, bad)
			}
		}
	}
	users := func(what string, q model.UserQuery, want ...string) {
		t.Helper()
		q.TenantID, q.CountUpTo = tenant.ID, 100
		page, count, err := s.userStatements(q)
		mustDo(t, err, what)
		check(what, page, want...)
		check(what+", its count", count)
	}
	eq := model.UserFilter{Op: model.FilterEqual, Attr: model.UserAttrEmail, Value: "p-7@grown.example"}
	sw := model.UserFilter{Op: model.FilterStartsWith, Attr: model.UserAttrEmail, Value: "p-7"}
	key := model.KeyOf(model.User{ID: g.MiddleUser.ID, CreatedAt: g.MiddleUser.CreatedAt}, "")
	users("first page", model.UserQuery{AppID: "app"}, "users_created_idx")
	users("first page, newest first", model.UserQuery{AppID: "app", Desc: true}, "users_created_idx")
	users("page after a key", model.UserQuery{AppID: "app", After: &key}, "users_created_idx (tenant_id=? AND (created_at,id)>(?,?))")
	users("prefix search", model.UserQuery{AppID: "app", Prefix: "p-7"}, "users_email_key (tenant_id=? AND email>? AND email<?)",
		"users_phone_number_key (tenant_id=? AND phone_number>? AND phone_number<?)")
	users("exact search", model.UserQuery{AppID: "app", Filter: &eq}, "users_email_key (tenant_id=? AND email=?)")
	users("sw search", model.UserQuery{AppID: "app", Filter: &sw}, "users_email_key (tenant_id=? AND email>? AND email<?)")

	audit := func(what string, q model.AuditQuery, want string) {
		t.Helper()
		q.TenantID, q.CountUpTo = tenant.ID, 100
		page, count, err := auditStatements(q, false)
		mustDo(t, err, what)
		check(what, page, want)
		check(what+", its count", count, want)
	}
	audit("audit first page", model.AuditQuery{}, "audit_events_tenant_idx")
	audit("audit by type", model.AuditQuery{Type: model.EventAdminChange}, "audit_events_type_idx")
	audit("audit by user", model.AuditQuery{UserID: g.UserIDs[1]}, "audit_events_user_idx")
	audit("audit by application", model.AuditQuery{AppID: "app"}, "audit_events_app_idx")
	audit("audit after an event", model.AuditQuery{Type: model.EventAdminChange, After: g.MiddleEventID}, "audit_events_type_idx")
}

// TestRefreshTokenPlansUseIndexes checks on SQLite that every statement reading refresh
// tokens by something other than their hash or id goes through an index: a session's or a
// family's revocation (refresh_tokens_session_idx, which has no family_id index beside it), a
// user's tokens deleted through the user's sessions (no user_id index), and each garbage
// collection step of sessions and tokens (ended sessions were found by reading all of them
// before sessions_revoked_idx).
func TestRefreshTokenPlansUseIndexes(t *testing.T) {
	s := NewTestStore(t, false)
	ctx := testContext(t)
	tenant := testTenant()
	mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
	_, err := s.Grow(ctx, Growth{TenantID: tenant.ID, AppID: "app", ClientID: "client", Prefix: "p",
		Users: 200, Sessions: 2000, RefreshTokens: 2000})
	mustDo(t, err, "grow")
	explain := func(q string, n int) string { return sqlitePlan(ctx, t, s, q, make([]any, n)...) }
	check := func(what, q string, want ...string) {
		t.Helper()
		plan := explain(q, strings.Count(q, "?"))
		for _, w := range want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: plan %q lacks %q", what, plan, w)
			}
		}
		for _, bad := range []string{"SCAN refresh_tokens", "SCAN sessions"} {
			if strings.Contains(plan, bad) {
				t.Errorf("%s: plan %q has %q", what, plan, bad)
			}
		}
	}
	check("a session's life", sessionLifeSQL, "sqlite_autoindex_sessions_1 (id=?)")
	check("a session's life and a client's stamp", sessionLifeAndStampSQL,
		"sqlite_autoindex_clients_1 (id=?)", "sqlite_autoindex_sessions_1 (id=?)")
	check("a session's revocation", revokeQuery(false), "refresh_tokens_session_idx (session_id=?)")
	check("a family's revocation", revokeQuery(true), "refresh_tokens_session_idx (session_id=? AND family_id=?)")
	check("a user's tokens deleted", deleteUserTokens, "sessions_user_idx (tenant_id=? AND user_id=?)",
		"refresh_tokens_session_idx (session_id=?)")
	// Expired sessions by their expiry, revoked ones by the index of revoked sessions, each
	// batch's tokens by their session.
	for _, st := range sessionSteps {
		check("ended sessions where "+st.where, endedSessionsSQLite(st), st.index+" (")
		check("tokens of ended sessions where "+st.where, endedTokensSQLite(st), st.index+" (", "refresh_tokens_session_idx (session_id=?)")
	}
	for _, st := range gcSteps {
		what := "garbage collection of " + st.table + " where " + st.where
		plan := explain(st.query(false), strings.Count(st.query(false), "?"))
		if !strings.Contains(plan, "SEARCH "+st.table+" USING") || !strings.Contains(plan, st.index+" (") {
			t.Errorf("%s: plan %q does not read an index of %s", what, plan, st.table)
		}
		for _, step := range strings.Split(plan, "; ") {
			if step == "SCAN "+st.table || strings.HasPrefix(step, "SCAN "+st.table+" ") {
				t.Errorf("%s: plan %q reads all of %s", what, plan, st.table)
			}
		}
	}
}

// sqlitePlan is SQLite's plan of query, its steps' details joined by "; ".
func sqlitePlan(ctx context.Context, t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	mustDo(t, err, "explain "+query)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		mustDo(t, rows.Scan(&id, &parent, &unused, &detail), "scan plan")
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ")
}
