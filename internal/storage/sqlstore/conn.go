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

// conn runs queries written with ? placeholders on a querier, rewriting them for the dialect
// and counting them.
type conn struct {
	q  querier
	d  *dialect
	st *stats
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.st.statements.Add(1)
	return c.q.ExecContext(ctx, c.d.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.st.statements.Add(1)
	return c.q.QueryContext(ctx, c.d.rebind(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c.st.statements.Add(1)
	return c.q.QueryRowContext(ctx, c.d.rebind(query), args...)
}

// execAffected runs a statement and returns how many rows it changed.
func (c conn) execAffected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
