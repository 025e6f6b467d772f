package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/storage"
)

// SetTracer makes the store start a span for each transaction it runs (nil: none). Call it
// before the store is shared; stores bound to a transaction inherit it.
func (s *Store) SetTracer(t observe.Tracer) { s.tracer = t }

// txSpan starts a transaction's span, named for the operation semantic conventions' database
// spans use, and saying which database runs it.
func (s *Store) txSpan(ctx context.Context) (context.Context, observe.Span) {
	if s.tracer == nil {
		return ctx, observe.Nop
	}
	ctx, span := s.tracer.Start(ctx, "db.transaction", observe.Client)
	span.SetAttr("db.system", s.dbSystem())
	return ctx, span
}

func (s *Store) dbSystem() string {
	if s.d.postgres {
		return "postgresql"
	}
	return "sqlite"
}

// Backlog is the outbox's owed messages of one kind: not delivered, not given up.
type Backlog struct {
	Kind     string
	Messages int64
	// Oldest is when the oldest of them was queued.
	Oldest time.Time
}

// OutboxBacklog counts the owed messages of each kind and finds the oldest, in one statement
// on the due index. It is meant for metrics: it runs outside any transaction and is not
// counted in Stats, so that scrapes do not show up in the statements a login costs.
func (s *Store) OutboxBacklog(ctx context.Context) ([]Backlog, error) {
	c := conn{q: s.r, d: s.d, st: &stats{}, db: s.r}
	rows, err := c.query(ctx,
		"SELECT kind, COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND next_attempt_at < ? GROUP BY kind",
		millis(storage.NeverDue))
	if err != nil {
		return nil, errf("outbox backlog", err)
	}
	defer rows.Close()
	var out []Backlog
	for rows.Next() {
		var b Backlog
		var oldest int64
		if err := rows.Scan(&b.Kind, &b.Messages, &oldest); err != nil {
			return nil, errf("outbox backlog", err)
		}
		b.Oldest = fromMillis(oldest)
		out = append(out, b)
	}
	return out, errf("outbox backlog", rows.Err())
}

// Pool is one of the store's connection pools and its statistics.
type Pool struct {
	// Name is "main" on PostgreSQL, whose one pool serves reads and writes; "writer" (its one
	// connection) and "readers" on SQLite.
	Name  string
	Stats sql.DBStats
}

// Pools returns the statistics of the store's connection pools.
func (s *Store) Pools() []Pool {
	if s.r == s.w {
		return []Pool{{Name: "main", Stats: s.w.Stats()}}
	}
	return []Pool{{Name: "writer", Stats: s.w.Stats()}, {Name: "readers", Stats: s.r.Stats()}}
}
