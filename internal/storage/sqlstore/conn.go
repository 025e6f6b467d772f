package sqlstore

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// querier is what *sql.DB and *sql.Tx have in common: the store runs every statement through
// one, so that the same method works inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ querier = (*sql.DB)(nil)
	_ querier = (*sql.Tx)(nil)
)

// stats counts what a store sends to its database, for benchmarks.
type stats struct {
	statements   atomic.Int64
	transactions atomic.Int64
}

// conn runs queries written with ? placeholders on a querier, rewriting them for the dialect,
// counting them, and running them as prepared statements where the store keeps them.
type conn struct {
	q  querier
	d  *dialect
	st *stats
	// ps, db and tx find prepared statements: db is the pool the statement is prepared on and
	// tx, when set, the transaction it runs in. ps is nil when the store prepares nothing.
	ps *prepared
	db *sql.DB
	tx *sql.Tx
	// owner is the transaction's store whose held writes (see batch.go) go before this
	// statement; nil outside a transaction and for the statement that sends them.
	owner *Store
}

// before sends the writes held back for the transaction, so that the statement about to run
// sees them.
func (c conn) before(ctx context.Context) error {
	if c.owner == nil || c.owner.held == nil || (len(c.owner.held.w) == 0 && c.owner.held.err == nil) {
		return nil
	}
	return c.owner.sendHeld(ctx)
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.before(ctx); err != nil {
		return nil, err
	}
	c.st.statements.Add(1)
	ctx = c.statementContext(ctx)
	q := c.d.rebind(query)
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	res, err := c.q.ExecContext(ctx, q, args...)
	if c.rerun(ctx, err) {
		res, err = c.q.ExecContext(ctx, q, args...)
	}
	return res, err
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.before(ctx); err != nil {
		return nil, err
	}
	c.st.statements.Add(1)
	ctx = c.statementContext(ctx)
	q := c.d.rebind(query)
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	rows, err := c.q.QueryContext(ctx, q, args...)
	if c.rerun(ctx, err) {
		rows, err = c.q.QueryContext(ctx, q, args...)
	}
	return rows, err
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	// An error of the held writes is kept for the commit to return: a Row cannot carry it.
	_ = c.before(ctx)
	c.st.statements.Add(1)
	ctx = c.statementContext(ctx)
	q := c.d.rebind(query)
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	// The PostgreSQL driver reads the first row before QueryRowContext returns, so a session
	// that had ended shows in Err already.
	row := c.q.QueryRowContext(ctx, q, args...)
	if c.rerun(ctx, row.Err()) {
		row = c.q.QueryRowContext(ctx, q, args...)
	}
	return row
}

// statementContext is the context a statement runs under. In a SQLite transaction it is one
// that is never cancelled: an interrupted write makes SQLite roll the whole transaction back,
// and the transaction holds the one writer anyway, so its statements (microseconds each) run
// to the end; a caller gone meanwhile is answered at the end. Given a context that can be
// cancelled, the driver also watches it with a goroutine and a progress handler per statement,
// and database/sql the rows of each read with another: a read of one row by its key cost 1.5
// to 1.7 times as much with one (BenchmarkPointRead). Reads outside a transaction keep the
// caller's context all the same: run uncancelled too, they made the bench's latencies at full
// load spread wider (docs/benchmarks.md). PostgreSQL statements keep the caller's context.
func (c conn) statementContext(ctx context.Context) context.Context {
	if c.d.postgres || c.tx == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// rerun reports whether a statement that failed with err is to run once more: on PostgreSQL,
// outside a transaction, when the server had ended the connection's session (see
// sessionEnded). The driver checks a pooled connection only when it has been idle for a
// second, so after the server drops a busy pool's connections (a restart, a failover,
// pg_terminate_backend) each of them fails the next statement run on it; like a BEGIN in
// runTx, the statement runs again after the idle connections are let go, on a fresh one.
// Statements in a transaction are not run again: the transaction is lost with its session.
func (c conn) rerun(ctx context.Context, err error) bool {
	if err == nil || c.tx != nil || !c.d.postgres || ctx.Err() != nil || !sessionEnded(err) {
		return false
	}
	dropIdle(c.db)
	return true
}

// stmt returns the prepared statement for q, or nil to run q as text.
func (c conn) stmt(ctx context.Context, q string) *sql.Stmt {
	if c.ps == nil {
		return nil
	}
	st := c.ps.get(ctx, c.db, q, c.tx == nil)
	if st == nil || c.tx == nil {
		return st
	}
	// The transaction's connection already holds the statement once it has run there; the
	// statement is closed with the transaction, its preparation on the connection is kept.
	return c.tx.StmtContext(ctx, st)
}

// execAffected runs a statement and returns how many rows it changed.
func (c conn) execAffected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
