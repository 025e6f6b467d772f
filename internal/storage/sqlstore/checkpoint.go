package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite copies its write-ahead log back into the database file in checkpoints. By default
// the commit that takes the log past 1000 pages runs one, and waits for its two fsyncs (the
// log, then the database file): with synchronous=NORMAL a commit otherwise waits for no fsync,
// so that one commit in about sixty logins took milliseconds and set the p99 of every write
// flow. The writer therefore runs with wal_autocheckpoint off, and a goroutine of the store
// checkpoints on a connection of its own:
//
//   - every checkpointEvery, PASSIVE: it copies what no reader still needs and never blocks a
//     writer or a reader; a commit meanwhile appends to the log as usual;
//   - when the log has grown past checkpointTruncatePages anyway (readers kept it from being
//     copied, or writes outran the checkpoints), TRUNCATE: it waits for readers and the writer
//     (busy_timeout) and empties the log file, so that the log stays bounded.
//
// Durability is unchanged: a committed transaction is in the log, and the log is what a
// restart (or a crash) recovers from, whether or not a checkpoint copied it yet. Close
// checkpoints (TRUNCATE) before it closes the connections.
const (
	checkpointEvery         = 200 * time.Millisecond
	checkpointTruncatePages = 4000
)

// checkpointer runs the checkpoints of one SQLite database.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
	// truncates counts TRUNCATE checkpoints, for tests.
	mu        sync.Mutex
	truncates int
}

func startCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.checkpoint(context.Background(), false)
		}
	}
}

// checkpoint runs a PASSIVE checkpoint, or a TRUNCATE one when truncate is set or the log is
// left longer than checkpointTruncatePages. Errors are left for the next round: a checkpoint
// that fails changes nothing.
func (c *checkpointer) checkpoint(ctx context.Context, truncate bool) {
	mode := "PASSIVE"
	if truncate {
		mode = "TRUNCATE"
	}
	var busy, logPages, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied); err != nil {
		return
	}
	if !truncate && logPages > checkpointTruncatePages {
		c.checkpoint(ctx, true)
		return
	}
	if truncate && busy == 0 {
		c.mu.Lock()
		c.truncates++
		c.mu.Unlock()
	}
}

// close stops the goroutine, checkpoints everything (TRUNCATE) and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.done.Wait()
	c.checkpoint(context.Background(), true)
	return c.db.Close()
}
