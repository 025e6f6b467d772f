package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxPrepared bounds the statements kept per pool. The store's queries are a fixed set of
// texts, but a few are built from filters (user search, audit queries); once the bound is
// reached, new texts simply run unprepared.
const maxPrepared = 512

// prepared keeps SQLite statements prepared, per pool: parsing and planning a statement costs
// SQLite about as much as running a small one. PostgreSQL needs none of this, since pgx keeps
// its own statement cache per connection.
//
// A statement is prepared on a pool (database/sql then prepares it on each connection the
// first time it runs there). Preparing takes a connection, which a transaction on SQLite's one
// writer connection already holds, so a statement first met inside a transaction runs as
// text and is prepared after the transaction ends (flush).
type prepared struct {
	mu      sync.Mutex
	stmts   map[*sql.DB]map[string]*sql.Stmt
	pending map[*sql.DB]map[string]bool
}

func newPrepared() *prepared {
	return &prepared{stmts: map[*sql.DB]map[string]*sql.Stmt{}, pending: map[*sql.DB]map[string]bool{}}
}

// get returns db's statement for q. When it has none it prepares one if canPrepare, and else
// notes q for flush and returns nil.
func (p *prepared) get(ctx context.Context, db *sql.DB, q string, canPrepare bool) *sql.Stmt {
	p.mu.Lock()
	st, ok := p.stmts[db][q]
	full := len(p.stmts[db]) >= maxPrepared
	if !ok && !canPrepare && !full {
		if p.pending[db] == nil {
			p.pending[db] = map[string]bool{}
		}
		p.pending[db][q] = true
	}
	p.mu.Unlock()
	if ok || !canPrepare || full {
		return st
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		// The text runs unprepared and reports its own error.
		return nil
	}
	return p.keep(db, q, st)
}

// keep stores st unless another goroutine stored one first, and returns the one kept.
func (p *prepared) keep(db *sql.DB, q string, st *sql.Stmt) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.stmts[db][q]; ok {
		_ = st.Close()
		return old
	}
	if p.stmts[db] == nil {
		p.stmts[db] = map[string]*sql.Stmt{}
	}
	p.stmts[db][q] = st
	delete(p.pending[db], q)
	return st
}

// flush prepares the statements noted inside transactions; it must run outside any.
func (p *prepared) flush(ctx context.Context) {
	p.mu.Lock()
	var todo []struct {
		db *sql.DB
		q  string
	}
	for db, qs := range p.pending {
		for q := range qs {
			todo = append(todo, struct {
				db *sql.DB
				q  string
			}{db, q})
		}
		delete(p.pending, db)
	}
	p.mu.Unlock()
	for _, t := range todo {
		if st, err := t.db.PrepareContext(ctx, t.q); err == nil {
			p.keep(t.db, t.q, st)
		}
	}
}

// close closes every statement kept.
func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, qs := range p.stmts {
		for _, st := range qs {
			_ = st.Close()
		}
	}
	p.stmts = map[*sql.DB]map[string]*sql.Stmt{}
}
