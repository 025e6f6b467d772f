package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// A write transaction on SQLite costs, at its commit, one frame of the write-ahead log (a
// page and its header, two writes) for each page it changed, and a B-tree insert changes at
// least one page of every B-tree of the table: its rows and each of its indexes. The helpers
// here count the frames of a transaction and name the B-tree of each, so that a test can say
// which B-trees the hot transactions write, and a benchmark how many pages they cost.

// pagesDB is a SQLite store whose log no checkpoint restarts: every commit's frames are
// appended to the file, where walFramesSince finds them.
type pagesDB struct {
	*Store
	wal string
	pos int64
}

// openPagesDB opens a migrated SQLite store with its background checkpoints stopped.
func openPagesDB(tb testing.TB) *pagesDB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "pages.db")
	s, err := OpenAndMigrate(context.Background(), path)
	mustDo(tb, err, "open")
	tb.Cleanup(func() { _ = s.Close() })
	close(s.cp.stop)
	s.cp.done.Wait()
	s.cp.stop = make(chan struct{})
	s.cp.done.Add(1)
	go func() { defer s.cp.done.Done(); <-s.cp.stop }() // for Close
	return &pagesDB{Store: s, wal: path + "-wal"}
}

// mark starts counting frames from the log's current end.
func (p *pagesDB) mark(tb testing.TB) {
	tb.Helper()
	st, err := os.Stat(p.wal)
	mustDo(tb, err, "stat log")
	p.pos = st.Size()
}

// frames returns the page number of each frame appended to the log since mark, and marks.
func (p *pagesDB) frames(tb testing.TB) []uint32 {
	tb.Helper()
	b, err := os.ReadFile(p.wal)
	mustDo(tb, err, "read log")
	pageSize := int64(binary.BigEndian.Uint32(b[8:12]))
	var pages []uint32
	start := max(p.pos, 32)
	if (start-32)%(pageSize+24) != 0 {
		tb.Fatalf("log position %d is not at a frame", start)
	}
	for off := start; off+24+pageSize <= int64(len(b)); off += 24 + pageSize {
		pages = append(pages, binary.BigEndian.Uint32(b[off:off+4]))
	}
	p.pos = int64(len(b))
	return pages
}

// owners names the B-tree (table or index) of each of the given pages, as dbstat tells; a
// page no B-tree holds (a free page) is "free".
func (p *pagesDB) owners(tb testing.TB, pages []uint32) []string {
	tb.Helper()
	names := map[uint32]string{}
	rows, err := p.w.Query("SELECT name, pageno FROM dbstat")
	mustDo(tb, err, "dbstat")
	defer rows.Close()
	for rows.Next() {
		var name string
		var page uint32
		mustDo(tb, rows.Scan(&name, &page), "scan dbstat")
		names[page] = name
	}
	out := make([]string, len(pages))
	for i, pg := range pages {
		if out[i] = names[pg]; out[i] == "" {
			out[i] = "free"
		}
	}
	return out
}

// hotTx is a stream of the hot write transactions over one tenant's users: logins, and
// refreshes of the tokens the logins issued.
type hotTx struct {
	tenant model.Tenant
	users  []string
	live   []liveToken
	n      int
}

type liveToken struct {
	hash      []byte
	sessionID string
	familyID  string
	userID    string
}

// newHotTx makes the tenant and its users, and fills the tables with logins (prefill), in
// transactions of many logins each, so that the B-trees have the depth and the page fill of
// a database in use.
func newHotTx(tb testing.TB, s *Store, users, prefill int) *hotTx {
	tb.Helper()
	ctx := context.Background()
	h := &hotTx{tenant: testTenant()}
	mustDo(tb, s.CreateTenant(ctx, h.tenant), "create tenant")
	for i := range users {
		u := model.User{ID: model.NewID(), TenantID: h.tenant.ID, Email: fmt.Sprintf("u%d@example.com", i),
			Status: model.UserActive, CreatedAt: testNow, UpdatedAt: testNow}
		mustDo(tb, s.CreateUser(ctx, u), "create user")
		h.users = append(h.users, u.ID)
	}
	for done := 0; done < prefill; done += 1000 {
		mustDo(tb, s.runTx(ctx, false, func(tx *Store) error {
			for range min(1000, prefill-done) {
				if err := h.login(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		}), "prefill")
	}
	return h
}

var hotUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// login writes what a login writes: the user's mark, a session, a refresh token and an event.
func (h *hotTx) login(ctx context.Context, tx *Store) error {
	h.n++
	user := h.users[h.n%len(h.users)]
	now := testNow.Add(time.Duration(h.n) * time.Millisecond)
	sess := model.Session{ID: "sr_" + model.NewID() + model.NewID(), TenantID: h.tenant.ID, UserID: user, AppID: "app", ClientID: "client",
		Factors:          []model.Factor{{Method: "otp", At: now}},
		ClientAttributes: model.ClientAttributes{UserAgent: hotUserAgent, IPAddress: "203.0.113.7"},
		CreatedAt:        now, LastSeenAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour), SealedID: make([]byte, 60)}
	id := model.NewID()
	rt := model.RefreshToken{ID: id, TenantID: h.tenant.ID, FamilyID: id, SessionID: sess.ID, ClientID: "client", UserID: user,
		TokenHash: []byte(model.NewID() + model.NewID()[:6]), Scope: "openid offline_access",
		ExpiresAt: now.Add(14 * 24 * time.Hour), CreatedAt: now}
	if err := tx.MarkLogin(ctx, h.tenant.ID, user, now, true, false); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return err
	}
	if err := tx.CreateRefreshToken(ctx, rt); err != nil {
		return err
	}
	h.live = append(h.live, liveToken{hash: rt.TokenHash, sessionID: sess.ID, familyID: rt.FamilyID, userID: user})
	return tx.AppendAudit(ctx, h.event(user, now, model.EventLoginSucceeded, sess.ID))
}

func (h *hotTx) event(user string, now time.Time, typ, sessionID string) model.AuditEvent {
	return model.AuditEvent{ID: model.NewID(), TenantID: h.tenant.ID, AppID: "app", ClientID: "client", UserID: user,
		Type: typ, Method: "otp", Outcome: "success", IPAddress: "203.0.113.7", UserAgent: hotUserAgent,
		Details: []byte(`{"session_ref":"` + sessionID + `"}`), CreatedAt: now}
}

// refresh writes what a refresh writes: the presented token rotated, its successor, the
// session touched, and an event. Each call refreshes a different live token, oldest first.
func (h *hotTx) refresh(ctx context.Context, tx *Store) error {
	h.n++
	old := h.live[0]
	h.live = h.live[1:]
	now := testNow.Add(time.Duration(h.n) * time.Millisecond)
	next := model.NewID()
	if _, err := tx.RotateRefreshToken(ctx, h.tenant.ID, "client", old.hash, next, now); err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	if _, err := tx.TouchSession(ctx, h.tenant.ID, old.sessionID, now, now.Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("touch: %w", err)
	}
	if err := tx.AppendAudit(ctx, h.event(old.userID, now, model.EventSessionRefresh, old.sessionID)); err != nil {
		return err
	}
	rt := model.RefreshToken{ID: next, TenantID: h.tenant.ID, FamilyID: old.familyID, SessionID: old.sessionID, ClientID: "client",
		UserID: old.userID, TokenHash: []byte(model.NewID() + model.NewID()[:6]), Scope: "openid offline_access",
		ExpiresAt: now.Add(14 * 24 * time.Hour), CreatedAt: now}
	h.live = append(h.live, liveToken{hash: rt.TokenHash, sessionID: old.sessionID, familyID: old.familyID, userID: old.userID})
	return tx.CreateRefreshToken(ctx, rt)
}

// hotBTrees are the B-trees a login's and a refresh's transactions write, besides the
// schema's first page (the file's size) and free pages, which a transaction writes when the
// file grows or a page is reused. Adding one costs every such transaction a page of the log
// or more (docs/benchmarks.md, "Indexes the login maintains").
var hotBTrees = map[string][]string{
	"login": {"audit_events", "audit_events_app_idx", "audit_events_id_key", "audit_events_tenant_idx",
		"audit_events_type_idx", "audit_events_user_idx",
		"refresh_tokens", "refresh_tokens_expires_idx", "refresh_tokens_session_idx", "refresh_tokens_token_hash_key",
		"sessions", "sessions_expires_idx", "sessions_user_idx", "sqlite_autoindex_refresh_tokens_1",
		"sqlite_autoindex_sessions_1", "users"},
	"refresh": {"audit_events", "audit_events_app_idx", "audit_events_id_key", "audit_events_tenant_idx",
		"audit_events_type_idx", "audit_events_user_idx",
		"refresh_tokens", "refresh_tokens_expires_idx", "refresh_tokens_session_idx", "refresh_tokens_token_hash_key",
		"sessions", "sqlite_autoindex_refresh_tokens_1"},
}

// hotPages runs n transactions of fn and returns how many frames each B-tree got, in all.
func hotPages(tb testing.TB, p *pagesDB, n int, fn func(context.Context, *Store) error) (frames int, byTree map[string]int) {
	tb.Helper()
	ctx := context.Background()
	p.mark(tb)
	for range n {
		mustDo(tb, p.runTx(ctx, false, func(tx *Store) error { return fn(ctx, tx) }), "transaction")
	}
	pages := p.frames(tb)
	byTree = map[string]int{}
	for _, o := range p.owners(tb, pages) {
		byTree[o]++
	}
	return len(pages), byTree
}

// TestHotTransactionPages checks which B-trees a login's and a refresh's transactions write
// on SQLite, over tables already holding thousands of logins, and logs the frames of each.
func TestHotTransactionPages(t *testing.T) {
	p := openPagesDB(t)
	h := newHotTx(t, p.Store, 200, 5000)
	for _, c := range []struct {
		name string
		fn   func(context.Context, *Store) error
	}{{"login", h.login}, {"refresh", h.refresh}} {
		const n = 200
		frames, byTree := hotPages(t, p, n, c.fn)
		var got []string
		var b strings.Builder
		for k := range byTree {
			if k != "sqlite_schema" && k != "free" {
				got = append(got, k)
			}
		}
		sort.Strings(got)
		for _, k := range got {
			fmt.Fprintf(&b, "\n  %-36s %5.2f", k, float64(byTree[k])/n)
		}
		t.Logf("%s: %.2f frames per transaction:%s", c.name, float64(frames)/n, b.String())
		if !slices.Equal(got, hotBTrees[c.name]) {
			t.Errorf("a %s writes the B-trees\n%v\nwant\n%v", c.name, got, hotBTrees[c.name])
		}
	}
}

// BenchmarkHotTransactions runs logins' and refreshes' write transactions on SQLite over
// tables holding 30,000 logins, and reports the frames each adds to the write-ahead log
// (exact for a given database, whatever the load) and the CPU each takes.
func BenchmarkHotTransactions(b *testing.B) {
	p := openPagesDB(b)
	h := newHotTx(b, p.Store, 2000, 30000)
	_, err := p.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	mustDo(b, err, "checkpoint")
	for _, c := range []struct {
		name string
		fn   func(context.Context, *Store) error
	}{{"login", h.login}, {"refresh", h.refresh}} {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := cpuTime()
			frames, _ := hotPages(b, p, b.N, c.fn)
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(frames)/float64(b.N), "frames/op")
		})
	}
}
