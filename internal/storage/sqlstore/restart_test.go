package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// pooledConns is how many connections dropPooledConnections leaves dead in the pool.
const pooledConns = 4

// dropPooledConnections has the PostgreSQL server end pooledConns connections of s's pool, as a
// restart does, while the pool still holds them idle and believes them alive. The connections
// are taken several at once, twice: the pool then holds that many, each checked alive when
// taken the second time. The driver checks a pooled connection again only when its last check
// is a second old, so for the next second a dropped one is met by the statement run on it.
func dropPooledConnections(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	dropIdle(s.w) // whatever an earlier drop left
	var pids []int
	for range 2 {
		var conns []*sql.Conn
		pids = pids[:0]
		for range pooledConns {
			c, err := s.w.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var pid int
			if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
				t.Fatal(err)
			}
			conns, pids = append(conns, c), append(pids, pid)
		}
		for _, c := range conns {
			_ = c.Close() // back to the pool, idle
		}
	}
	admin, err := sql.Open("pgx", os.Getenv(PostgresDSNEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the backends exit; the client's connections do not know
}

// After the database drops the pool's connections (as a restart does), the next transactions
// succeed: a BEGIN that fails on a dead connection is tried again on a fresh one.
func TestTransactionsRideThroughDroppedConnections(t *testing.T) {
	s := NewTestStore(t, true)
	ctx := context.Background()
	dropPooledConnections(t, s)
	for i := range pooledConns + 1 {
		err := s.InTx(ctx, func(tx storage.Store) error {
			_, _, err := tx.CountHit(ctx, "restart-test", time.Now(), time.Now().Add(time.Minute))
			return err
		})
		if err != nil {
			t.Fatalf("transaction %d after the connections were dropped: %v", i+1, err)
		}
	}
}

// After the database drops the pool's connections, statements run outside a transaction
// succeed too, each run exactly once: single-row reads, reads of many rows, and writes (as the
// delivery worker's record of a sent message, which failing would have the message sent again).
func TestStatementsRideThroughDroppedConnections(t *testing.T) {
	s := NewTestStore(t, true)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := model.OutboxMessage{ID: model.NewID(), TenantID: "tenant", Kind: model.MessageEmail, To: "a@example.com",
		Sealed: []byte{1, 2, 3}, NextAttemptAt: now, CreatedAt: now}
	if err := s.EnqueueMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	statements := []struct {
		name string
		run  func() error
	}{
		{"single-row read", func() error { _, err := s.GetMessage(ctx, m.ID); return err }},
		{"read", func() error {
			list, err := s.ListMessages(ctx, m.TenantID, now, 10)
			if err == nil && len(list) != 1 {
				t.Errorf("listed %d messages, want 1", len(list))
			}
			return err
		}},
		{"write", func() error { return s.MarkDelivered(ctx, m.ID, time.Now()) }},
	}
	for _, st := range statements {
		t.Run(st.name, func(t *testing.T) {
			dropPooledConnections(t, s)
			for i := range pooledConns + 1 {
				if err := st.run(); err != nil {
					t.Fatalf("statement %d after the connections were dropped: %v", i+1, err)
				}
			}
		})
	}
	if t.Failed() {
		return
	}
	got, err := s.GetMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != pooledConns+1 {
		t.Fatalf("the message counts %d attempts after %d writes that each count one", got.Attempts, pooledConns+1)
	}
}
