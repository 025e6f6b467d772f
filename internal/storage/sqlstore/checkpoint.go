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
//   - every checkpointEvery while commits keep coming (checkpointIdleEvery once a round finds
//     nothing committed since the last one, or fails), PASSIVE: it copies what no reader still
//     needs and never blocks a writer or a reader; a commit meanwhile appends to the log as
//     usual. Rounds are frequent so that each one's fsyncs have little to flush: on ext4 an
//     fsync commits the file system's journal, and the writer's appends to the log wait for
//     that commit, so a round that flushed 50 ms of pages held commits for up to 10-20 ms (the
//     p99 of write flows at half peak, docs/benchmarks.md); one that flushes 10 ms of pages
//     holds them for far less;
//   - when the log has grown past checkpointRestartPages anyway, RESTART on the writer's own
//     connection, between two transactions. Under a steady stream of commits a PASSIVE round
//     never finds the log copied to its end at a moment when no commit is appending, so the
//     log is never started over and grows; on the writer connection the checkpoint waits for
//     the transaction before it in the pool's queue rather than in SQLite's busy handler, and
//     has little left to copy after the PASSIVE rounds: about one fsync's stall, every few
//     thousand pages rather than in one commit of every thousand;
//   - past checkpointTruncatePages (readers kept the log from being copied), TRUNCATE, which
//     also empties the file, so that the log stays bounded.
//
// Durability is unchanged: a committed transaction is in the log, and the log is what a
// restart (or a crash) recovers from, whether or not a checkpoint copied it yet. Close
// checkpoints (TRUNCATE) before it closes the connections.
//
// The TRUNCATE is a safety net, not the routine: it blocks writers while it waits and copies,
// so its bound is far above what the PASSIVE rounds leave (a few thousand pages at most at
// this machine's peak, between rounds 50 ms apart, as they were). With rounds of 200 ms and a
// bound of 4000 pages it ran a few times per 5000 logins and stalled a commit for up to 280 ms.
const (
	checkpointEvery     = 10 * time.Millisecond
	checkpointIdleEvery = 100 * time.Millisecond
)

// checkpointRestartPages and checkpointTruncatePages are the RESTART and TRUNCATE bounds (16
// and 64 MB of 4 KB pages); variables for tests.
var (
	checkpointRestartPages  = 4096
	checkpointTruncatePages = 16384
)

// checkpointer runs the checkpoints of one SQLite database.
type checkpointer struct {
	db   *sql.DB
	w    *sql.DB // the writer pool, for RESTART
	stop chan struct{}
	done sync.WaitGroup
	// truncates counts TRUNCATE checkpoints, for tests.
	mu                  sync.Mutex
	truncates, restarts int
}

func startCheckpointer(db, w *sql.DB) *checkpointer {
	c := &checkpointer{db: db, w: w, stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTimer(checkpointEvery)
	defer t.Stop()
	last := -1
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			next := checkpointEvery
			logPages, copied := c.checkpoint(context.Background(), false)
			if logPages == last && copied == logPages {
				next = checkpointIdleEvery // nothing committed since the last round (or it failed)
			}
			last = logPages
			t.Reset(next)
		}
	}
}

// checkpoint runs a PASSIVE checkpoint, or a TRUNCATE one when truncate is set or the log is
// left longer than checkpointTruncatePages, and returns the pages the log held and how many
// of them are copied (-1 and -1 when the checkpoint failed). Errors are left for the next
// round: a checkpoint that fails changes nothing.
func (c *checkpointer) checkpoint(ctx context.Context, truncate bool) (logPages, copied int) {
	mode := "PASSIVE"
	if truncate {
		mode = "TRUNCATE"
	}
	var busy int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied); err != nil {
		return -1, -1
	}
	if !truncate && logPages > checkpointTruncatePages {
		c.checkpoint(ctx, true)
		return logPages, copied
	}
	if !truncate && logPages > checkpointRestartPages {
		_, _ = c.w.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
		c.mu.Lock()
		c.restarts++
		c.mu.Unlock()
		return logPages, copied
	}
	if truncate && busy == 0 {
		c.mu.Lock()
		c.truncates++
		c.mu.Unlock()
	}
	return logPages, copied
}

// close stops the goroutine, checkpoints everything (TRUNCATE) and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.done.Wait()
	c.checkpoint(context.Background(), true)
	return c.db.Close()
}
