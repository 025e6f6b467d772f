package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// TestPostgresGenericPlansUseIndexes checks the plans PostgreSQL keeps for prepared statements
// (pgx prepares each statement once per connection, and after a few runs PostgreSQL may keep
// one generic plan for every later run): made while the tables are empty, as on a new
// database, each hot lookup and each list reads an index, never a whole table, and the same
// plans still do after the tables have grown. A plan chosen while a table was small thus
// cannot turn into a scan of it once it is large.
func TestPostgresGenericPlansUseIndexes(t *testing.T) {
	s := NewTestStore(t, true)
	ctx := testContext(t)
	tenant := testTenant()
	mustDo(t, s.CreateTenant(ctx, tenant), "create tenant")
	conn, err := s.w.Conn(ctx)
	mustDo(t, err, "take a connection")
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "SET plan_cache_mode = force_generic_plan")
	mustDo(t, err, "force generic plans")

	// Each statement is prepared once, as pgx does per connection, and its generic plan
	// explained while the tables are empty and again, the same prepared statement, after
	// they have grown.
	type prepared struct {
		name, what string
		n          int
		tables     []string
		// noSeqScan marks collection's deletes, which run with sequential scans off (see
		// deleteBatch): their plans are made, and explained, so. With sequential scans off a
		// table without a fitting index is read whole through some other index, so want
		// names what their plans must show instead: each a line's parts, joined by " & ".
		noSeqScan bool
		want      []string
	}
	var all []prepared
	var made int
	noSeqScan := false
	var want []string
	prepare := func(what string, st statement, tables ...string) {
		made++
		p := prepared{name: fmt.Sprintf("plan_check_%d", made), what: what, n: len(st.args), tables: tables, noSeqScan: noSeqScan, want: want}
		_, err := conn.ExecContext(ctx, "PREPARE "+p.name+" AS "+s.d.rebind(st.sql))
		mustDo(t, err, "prepare "+st.sql)
		all = append(all, p)
	}
	check := func(stage string, empty ...string) {
		for _, p := range all {
			if p.noSeqScan {
				_, err := conn.ExecContext(ctx, "SET enable_seqscan = off")
				mustDo(t, err, "turn sequential scans off")
			}
			plan := explainPrepared(ctx, t, conn, p.name, p.n)
			_, err := conn.ExecContext(ctx, "RESET enable_seqscan")
			mustDo(t, err, "reset enable_seqscan")
			for _, w := range p.want {
				if !planHasLine(plan, strings.Split(w, " & ")...) {
					t.Errorf("%s, %s: the generic plan has no line with %q:\n%s", stage, p.what, w, plan)
				}
			}
			for _, table := range p.tables {
				if slices.Contains(empty, table) {
					continue
				}
				if strings.Contains(plan+"\n", "Seq Scan on "+table+" ") || strings.Contains(plan+"\n", "Seq Scan on "+table+"\n") {
					t.Errorf("%s, %s: the generic plan scans %s:\n%s", stage, p.what, table, plan)
				}
			}
		}
	}
	key := model.UserKey{Value: int64(1), ID: "x"}
	eq := model.UserFilter{Op: model.FilterEqual, Attr: model.UserAttrEmail, Value: "x"}
	sw := model.UserFilter{Op: model.FilterStartsWith, Attr: model.UserAttrEmail, Value: "x"}
	prepareAll := func() {
		one := func(what, sql string, n int, tables ...string) {
			prepare(what, statement{sql, make([]any, n)}, tables...)
		}
		one("session by id", "SELECT "+sessionCols+" FROM sessions WHERE id = ?", 1, "sessions")
		one("session life by id", sessionLifeSQL, 1, "sessions")
		one("session life and client stamp", sessionLifeAndStampSQL, 2, "sessions", "clients")
		one("session for update", "SELECT "+sessionCols+" FROM sessions WHERE tenant_id = ? AND id = ?", 2, "sessions")
		one("session touch", "UPDATE sessions SET last_seen_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL", 3, "sessions")
		one("a user's sessions", "SELECT "+sessionCols+" FROM sessions WHERE tenant_id = ? AND user_id = ? ORDER BY created_at DESC, rowid DESC", 2, "sessions")
		one("refresh token by hash", "SELECT "+refreshCols+" FROM refresh_tokens WHERE token_hash = ?", 1, "refresh_tokens")
		// A family has no index of its own, nor a token's user: both go through sessions.
		one("a session's revocation", revokeQuery(false), 3, "refresh_tokens")
		one("a family's revocation", revokeQuery(true), 4, "refresh_tokens")
		one("a user's tokens deleted", deleteUserTokens, 2, "refresh_tokens", "sessions")
		one("code lookup", "SELECT "+codeCols+" FROM codes WHERE tenant_id = ? AND app_id = ? AND purpose = ? AND identifier = ? AND consumed_at IS NULL", 4, "codes")
		one("code attempt", s.codeAttemptSQL(), 13, "codes", "users", "app_users", "lockouts", "counters")
		one("code by id with its user", codeWithUserSQL, 3, "codes", "users", "app_users")
		one("user and link", userAndLinkSQL, 3, "users", "app_users")
		one("user by id", "SELECT "+userCols+" FROM users WHERE id = ?", 1, "users")
		one("user by email", "SELECT "+userCols+" FROM users WHERE tenant_id = ? AND email = ?", 2, "users")
		one("tenant by id", "SELECT id FROM tenants WHERE id = ?", 1, "tenants")
		// The reads of a page's users' details by batches of ids (application links, login
		// methods) are checked only for not scanning whole tables: without statistics
		// PostgreSQL filters the batch's ids rather than looking each up, reading every row of
		// the tenant or application through an index (see docs/benchmarks.md).
		one("login methods of a page of users", loginMethodsQuery(), 2+appUserBatch, "audit_events")
		one("application links of a page of users", appUsersQuery(), 2+appUserBatch, "app_users")
		// Collection runs on every node from its start, so its statements are prepared while
		// a new database's tables are empty, and must still find a grown backlog through an
		// index.
		one("old audit events", oldAuditSQL, 1, "audit_events")
		noSeqScan = true
		for _, st := range gcSteps {
			want = []string{"Tid Scan on " + st.table, "Index Cond: & " + st.order + " <", st.index}
			one("collection of "+st.table+" where "+st.where, st.query(true), strings.Count(st.query(true), "?"), st.table)
		}
		for _, st := range sessionSteps {
			want = []string{st.index, "Index Cond: & " + st.order + " <", "Index Cond: (session_id = ANY", "Tid Scan on refresh_tokens"}
			one("collection of sessions where "+st.where, endedSessionsPostgres(st), 4, "sessions", "refresh_tokens")
		}
		want = []string{"Index Cond: ((seq >= $1) AND (seq <= $2))"}
		one("collection of audit events", collectAuditSQL, 3, "audit_events")
		noSeqScan, want = false, nil
		for _, c := range []struct {
			what string
			q    model.UserQuery
		}{
			{"first page", model.UserQuery{AppID: "app"}},
			{"page after a key", model.UserQuery{AppID: "app", After: &key}},
			{"prefix search", model.UserQuery{AppID: "app", Prefix: "x"}},
			{"exact search", model.UserQuery{AppID: "app", Filter: &eq}},
			{"sw search", model.UserQuery{AppID: "app", Filter: &sw}},
		} {
			c.q.TenantID, c.q.CountUpTo = tenant.ID, 100
			page, count, err := s.userStatements(c.q)
			mustDo(t, err, c.what)
			prepare(c.what, page, "users", "app_users")
			prepare(c.what+", its count", count, "users", "app_users", "user_counts")
		}
		for _, q := range []model.AuditQuery{{}, {Type: "t"}, {UserID: "u"}, {AppID: "a"}, {Type: "t", After: "e"}} {
			q.TenantID, q.CountUpTo = tenant.ID, 100
			page, count, err := auditStatements(q, true)
			mustDo(t, err, "audit statements")
			prepare(fmt.Sprintf("audit %+v", q), page, "audit_events")
			prepare(fmt.Sprintf("audit %+v, its count", q), count, "audit_events")
		}
	}
	prepareAll()
	check("empty tables")
	_, err = s.Grow(ctx, Growth{TenantID: tenant.ID, AppID: "app", ClientID: "client", Prefix: "p",
		Users: 20000, AuditEvents: 20000, Tenants: 2000, Sessions: 20000, RefreshTokens: 20000, Codes: 20000})
	mustDo(t, err, "grow")
	// Clients too, which the introspection's read joins to a session (no other table refers
	// to them, so bare rows do).
	_, err = s.w.ExecContext(ctx, "INSERT INTO clients (id, tenant_id, app_id, created_at, updated_at) "+
		"SELECT 'grown-client-' || g, $1, 'app', 0, 0 FROM generate_series(1, 5000) AS g", tenant.ID)
	mustDo(t, err, "grow clients")
	check("grown tables, plans of the empty ones")
	// With the grown tables' statistics (autovacuum's ANALYZE in time), PostgreSQL plans the
	// prepared statements again: a plan that then finds a scan cheaper must not take it.
	_, err = conn.ExecContext(ctx, "ANALYZE")
	mustDo(t, err, "analyze")
	// Tables the growth left empty (no lockout or counter is grown) are analyzed as empty,
	// and a scan of an empty table is the right plan for it; autovacuum analyzes them again
	// once they have rows.
	notGrown := []string{"lockouts", "counters"}
	check("grown and analyzed tables", notGrown...)
	// Statements prepared afresh, as on a connection opened after the growth.
	all = nil
	prepareAll()
	check("grown and analyzed tables, new statements", notGrown...)
}

// explainPrepared returns the plan PostgreSQL runs the prepared statement name, of n
// parameters, with, as EXPLAIN shows it.
func explainPrepared(ctx context.Context, t *testing.T, conn *sql.Conn, name string, n int) string {
	t.Helper()
	nulls := strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ")
	rows, err := conn.QueryContext(ctx, "EXPLAIN EXECUTE "+name+"("+nulls+")")
	if err != nil {
		t.Fatalf("explain %s: %v", name, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		mustDo(t, rows.Scan(&line), "scan plan")
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// planHasLine reports whether a line of plan contains every one of parts.
func planHasLine(plan string, parts ...string) bool {
	for _, line := range strings.Split(plan, "\n") {
		all := true
		for _, part := range parts {
			all = all && strings.Contains(line, part)
		}
		if all {
			return true
		}
	}
	return false
}
