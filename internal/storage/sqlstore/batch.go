package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// A login's last writes (its user's login mark, its session, its refresh token, its audit
// event) read nothing back and are read by nothing before the transaction ends. A store bound
// to a transaction therefore holds them back, and sends them together as one statement just
// before the next statement of the transaction, or before the commit: one round trip and one
// statement instead of four. This is done on PostgreSQL only, where the statement chains them
// as data-modifying WITH clauses and saves three round trips. SQLite has no round trips to save:
// the same writes sent as rows of one INSERT into a view with an INSTEAD OF trigger cost more
// CPU per transaction than the four statements (measured in docs/benchmarks.md), so there
// they run as they come.
//
// Errors of a held-back write come with the statement that sends it, and roll the
// transaction back as they would have: the callers of these writes recover from none of them
// (their keys are random) but a mark of a user who is gone, reported as it was.

// heldWrite is one held-back write: its statement as it would run alone.
type heldWrite struct {
	what  string // for errors: "create session", ...
	table string // at most one write per table is held, so that their order cannot matter
	query string
	args  []any
	// mustAffect says the write must change exactly one row (else ErrNotFound).
	mustAffect bool
}

// heldWrites is the list a transaction's stores share.
type heldWrites struct {
	w []heldWrite
	// err is the error of held writes sent before a statement that can return no error of
	// its own (queryRow); the commit returns it.
	err error
}

// hold adds w to the transaction's held writes (s is bound to a transaction), sending those
// held first when one of them is on w's table.
func (s *Store) hold(ctx context.Context, w heldWrite) error {
	for _, h := range s.held.w {
		if h.table == w.table {
			if err := s.sendHeld(ctx); err != nil {
				return err
			}
			break
		}
	}
	s.held.w = append(s.held.w, w)
	return nil
}

// holding reports whether s holds writes back: it is bound to a PostgreSQL transaction.
func (s *Store) holding() bool { return s.tx != nil && s.held != nil && s.d.postgres }

// sendHeld sends the held writes, if any, and returns the error of any sent before.
func (s *Store) sendHeld(ctx context.Context) error {
	if s.held == nil {
		return nil
	}
	if len(s.held.w) > 0 {
		ws := s.held.w
		s.held.w = nil
		if err := runHeld(ctx, s, ws); err != nil && s.held.err == nil {
			s.held.err = err
		}
	}
	return s.held.err
}

// runHeld runs ws as one statement, or as itself when there is one.
func runHeld(ctx context.Context, s *Store, ws []heldWrite) error {
	c := s.writer()
	c.owner = nil // this is the statement the others wait for
	if len(ws) == 1 {
		w := ws[0]
		n, err := c.execAffected(ctx, w.query, w.args...)
		if err != nil {
			return errf(w.what, err)
		}
		if w.mustAffect {
			return mustAffect(w.what, n, nil)
		}
		return nil
	}
	return runHeldPostgres(ctx, c, ws)
}

func runHeldPostgres(ctx context.Context, c conn, ws []heldWrite) error {
	var b strings.Builder
	var args []any
	var counts []string
	for i, w := range ws {
		name := "w" + strconv.Itoa(i)
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s AS (%s RETURNING 1)", name, w.query)
		args = append(args, w.args...)
		counts = append(counts, "(SELECT COUNT(*) FROM "+name+")")
	}
	b.WriteString(" SELECT " + strings.Join(counts, ", "))
	got := make([]int64, len(ws))
	dest := make([]any, len(ws))
	for i := range got {
		dest[i] = &got[i]
	}
	if err := c.queryRow(ctx, b.String(), args...).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %w", heldNames(ws), err)
	}
	for i, w := range ws {
		if w.mustAffect {
			if err := mustAffect(w.what, got[i], nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func heldNames(ws []heldWrite) string {
	var names []string
	for _, w := range ws {
		names = append(names, w.what)
	}
	return strings.Join(names, ", ")
}
