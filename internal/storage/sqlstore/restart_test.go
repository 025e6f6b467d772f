package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// After the database drops the pool's connections (as a restart does), the next transactions
// succeed: a BEGIN that fails on a dead connection is tried again on a fresh one.
func TestTransactionsRideThroughDroppedConnections(t *testing.T) {
	s := NewTestStore(t, true)
	ctx := context.Background()
	const pooled = 4
	// Take several connections at once, twice: the pool then holds that many, each checked
	// alive when taken the second time. The driver checks a pooled connection again only when
	// its last check is a second old, so for the next second a dropped one is met by the
	// transaction's BEGIN.
	var pids []int
	for range 2 {
		var conns []*sql.Conn
		pids = pids[:0]
		for range pooled {
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
	for i := range pooled + 1 {
		err := s.InTx(ctx, func(tx storage.Store) error {
			_, _, err := tx.CountHit(ctx, "restart-test", time.Now(), time.Now().Add(time.Minute))
			return err
		})
		if err != nil {
			t.Fatalf("transaction %d after the connections were dropped: %v", i+1, err)
		}
	}
}
