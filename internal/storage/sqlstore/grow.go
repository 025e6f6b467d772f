package sqlstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// Growth is what Grow adds to a database, to measure how costs change with its size (the
// bench's data-size scenario). Rows are made up but well formed; users are linked to AppID,
// events, sessions, refresh tokens and codes belong to those users.
type Growth struct {
	TenantID, AppID, ClientID string
	// Prefix starts the grown users' emails; it makes one growth's users distinct from
	// another's.
	Prefix        string
	Users         int
	AuditEvents   int
	Tenants       int
	Sessions      int
	RefreshTokens int
	Codes         int
	// Analyze refreshes PostgreSQL's statistics after the growth, as autovacuum would in
	// time; without it they stay those of the small tables.
	Analyze bool
}

// Grown tells what Grow made that a measurement can name.
type Grown struct {
	// MiddleUser is the grown user halfway through the order by creation.
	MiddleUser model.User
	// UserIDs and Emails are some of the grown users, spread over the whole growth.
	UserIDs, Emails []string
	// MiddleEventID is the grown event halfway through the growth's events.
	MiddleEventID string
}

// growRows is how many rows one INSERT statement writes, growTx how many statements one
// transaction holds: big transactions of multi-row statements, the fast way to load.
const (
	growRows = 400
	growTx   = 25
)

// Grow adds g's rows straight to the tables, in large transactions of multi-row INSERTs,
// bypassing every check the store's methods make: it is for benchmarks on a database made
// for them, never for one in use.
func (s *Store) Grow(ctx context.Context, g Growth) (Grown, error) {
	now := time.Now().UnixMilli()
	// Grown users are older than any the benchmark made itself, one millisecond apart.
	created := now - int64(g.Users) - 86_400_000
	userID := func(i int) string { return g.Prefix + "-u" + strconv.Itoa(i) }
	email := func(i int) string { return g.Prefix + "-" + strconv.Itoa(i) + "@grown.example" }
	var out Grown
	if g.Users > 0 {
		mid := g.Users / 2
		out.MiddleUser = model.User{ID: userID(mid), TenantID: g.TenantID, CreatedAt: fromMillis(created + int64(mid))}
		for i := 0; i < g.Users; i += max(1, g.Users/64) {
			out.UserIDs, out.Emails = append(out.UserIDs, userID(i)), append(out.Emails, email(i))
		}
	}
	if g.AuditEvents > 0 {
		out.MiddleEventID = g.Prefix + "-e" + strconv.Itoa(g.AuditEvents/2)
	}
	user := func(i int) string {
		if g.Users == 0 {
			return ""
		}
		return userID(i % g.Users)
	}
	tables := []struct {
		name string
		n    int
		cols string
		row  func(i int) []any
	}{
		{"users", g.Users, "id, tenant_id, email, status, created_at, updated_at", func(i int) []any {
			return []any{userID(i), g.TenantID, email(i), model.UserActive, created + int64(i), created + int64(i)}
		}},
		{"app_users", g.Users, "tenant_id, app_id, user_id, created_at", func(i int) []any {
			return []any{g.TenantID, g.AppID, userID(i), created + int64(i)}
		}},
		{"audit_events", g.AuditEvents, "id, tenant_id, app_id, client_id, user_id, type, outcome, created_at", func(i int) []any {
			types := []string{model.EventLoginFailed, model.EventAdminChange, "login.succeeded", "otp.sent"}
			return []any{g.Prefix + "-e" + strconv.Itoa(i), g.TenantID, g.AppID, g.ClientID, user(i), types[i%len(types)], "success", created + int64(i)}
		}},
		{"tenants", g.Tenants, "id, name, created_at", func(i int) []any {
			return []any{g.Prefix + "-t" + strconv.Itoa(i), "grown " + g.Prefix + "-" + strconv.Itoa(i), now}
		}},
		{"sessions", g.Sessions, "id, tenant_id, user_id, app_id, client_id, created_at, last_seen_at, expires_at", func(i int) []any {
			return []any{g.Prefix + "-s" + strconv.Itoa(i), g.TenantID, user(i), g.AppID, g.ClientID, now, now, now + 86_400_000}
		}},
		{"refresh_tokens", g.RefreshTokens, "id, tenant_id, family_id, session_id, client_id, user_id, token_hash, expires_at, created_at", func(i int) []any {
			id := g.Prefix + "-r" + strconv.Itoa(i)
			hash := make([]byte, 32)
			_, _ = rand.Read(hash)
			return []any{id, g.TenantID, id, g.Prefix + "-s" + strconv.Itoa(i), g.ClientID, user(i), hash, now + 86_400_000, now}
		}},
		{"codes", g.Codes, "id, tenant_id, app_id, client_id, user_id, purpose, channel, identifier_type, identifier, expires_at, created_at", func(i int) []any {
			return []any{g.Prefix + "-c" + strconv.Itoa(i), g.TenantID, g.AppID, g.ClientID, user(i), "otp", "email", "email",
				g.Prefix + "-" + strconv.Itoa(i) + "@grown.example", now + 600_000, now}
		}},
	}
	for _, t := range tables {
		if err := s.growTable(ctx, t.name, t.cols, t.n, t.row); err != nil {
			return out, fmt.Errorf("grow %s: %w", t.name, err)
		}
	}
	// Unless asked, no ANALYZE: the statistics stay those of the small tables, as after a
	// burst of growth with autovacuum off or behind. Either way the plans prepared before the
	// growth are what the measurements after it go through (an ANALYZE makes PostgreSQL plan
	// them again). SQLite's log is folded into the database, as its checkpoints do in time,
	// so that reads do not first search a log of the growth.
	if s.d.postgres && g.Analyze {
		if _, err := s.w.ExecContext(ctx, "ANALYZE users, app_users, audit_events, tenants, sessions, refresh_tokens, codes"); err != nil {
			return out, fmt.Errorf("analyze: %w", err)
		}
	}
	if !s.d.postgres {
		if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return out, fmt.Errorf("checkpoint: %w", err)
		}
	}
	return out, nil
}

// growTable inserts n rows of cols into table, row(i) giving the i-th.
func (s *Store) growTable(ctx context.Context, table, cols string, n int, row func(int) []any) error {
	ncols := strings.Count(cols, ",") + 1
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
	for start := 0; start < n; {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for st := 0; st < growTx && start < n; st++ {
			k := min(growRows, n-start)
			args := make([]any, 0, k*ncols)
			for i := start; i < start+k; i++ {
				args = append(args, row(i)...)
			}
			q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
				_ = tx.Rollback()
				return err
			}
			start += k
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
