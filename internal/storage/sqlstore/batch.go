package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"modernc.org/sqlite"
)

// A login's last writes (its user's login mark, its session, its refresh token, its audit
// event) read nothing back and are read by nothing before the transaction ends. A store bound
// to a transaction therefore holds them back, and sends them together as one statement just
// before the next statement of the transaction, or before the commit: one round trip and one
// statement instead of four. On PostgreSQL the statement chains them as data-modifying WITH
// clauses; SQLite has none, so they go as rows of one INSERT into the view batched_writes,
// whose INSTEAD OF trigger (schema migration 0021) makes each row's write.
//
// Errors of a held-back write come with the statement that sends it, and roll the
// transaction back as they would have: the callers of these writes recover from none of them
// (their keys are random) but a mark of a user who is gone, reported as it was.

// heldWrite is one held-back write: its statement as it would run alone, and how the SQLite
// trigger takes it (kind and values, in the trigger's column order).
type heldWrite struct {
	what  string // for errors: "create session", ...
	table string // at most one write per table is held, so that their order cannot matter
	query string
	args  []any
	kind  string
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

// batchCols are the value columns of the batched_writes view: as many as the widest write.
const batchCols = 15

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

// holding reports whether s holds writes back: it is bound to a transaction.
func (s *Store) holding() bool { return s.tx != nil && s.held != nil }

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
	if s.d.postgres {
		return runHeldPostgres(ctx, c, ws)
	}
	return runHeldSQLite(ctx, c, ws)
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

// sqliteMarkGone is the message of the trigger's abort for a login mark of a missing user.
const sqliteMarkGone = "latchkey: mark login: no such user"

func runHeldSQLite(ctx context.Context, c conn, ws []heldWrite) error {
	var b strings.Builder
	b.WriteString("INSERT INTO batched_writes (kind")
	for i := 1; i <= batchCols; i++ {
		b.WriteString(", a" + strconv.Itoa(i))
	}
	b.WriteString(") VALUES ")
	row := "(?" + strings.Repeat(", ?", batchCols) + ")"
	var args []any
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		vals := make([]any, batchCols)
		copy(vals, w.sqliteArgs())
		args = append(append(args, w.kind), vals...)
	}
	_, err := c.exec(ctx, b.String(), args...)
	if err != nil && strings.Contains(err.Error(), sqliteMarkGone) {
		return mustAffect("mark login", 0, nil)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", heldNames(ws), err)
	}
	return nil
}

// sqliteArgs are w's values in the trigger's order: the statement's own, but for the login
// mark, whose statement repeats its time.
func (w heldWrite) sqliteArgs() []any {
	if w.kind == "mark" {
		// ms, verifyEmail, ms, verifyPhone, ms, tenantID, id
		return []any{w.args[0], w.args[1], w.args[3], w.args[5], w.args[6]}
	}
	return w.args
}

func heldNames(ws []heldWrite) string {
	var names []string
	for _, w := range ws {
		names = append(names, w.what)
	}
	return strings.Join(names, ", ")
}

// sqliteBatchSchema makes the TEMP view batched_writes and its trigger. A row's kind names
// its write; a1..a15 are its values in the order of its statement (for a login mark: the
// time, whether to verify the email address, the phone number, the tenant and the user).
func sqliteBatchSchema() []string {
	var view strings.Builder
	view.WriteString("CREATE TEMP VIEW IF NOT EXISTS batched_writes AS SELECT NULL AS kind")
	for i := 1; i <= batchCols; i++ {
		fmt.Fprintf(&view, ", NULL AS a%d", i)
	}
	view.WriteString(" WHERE 0")
	insert := func(table, cols, kind string) string {
		n := len(strings.Split(cols, ","))
		vals := make([]string, n)
		for i := range vals {
			vals[i] = "NEW.a" + strconv.Itoa(i+1)
		}
		return "INSERT INTO main." + table + " (" + cols + ") SELECT " + strings.Join(vals, ", ") + " WHERE NEW.kind = '" + kind + "'; "
	}
	trigger := "CREATE TEMP TRIGGER IF NOT EXISTS batched_writes_insert INSTEAD OF INSERT ON batched_writes BEGIN " +
		"SELECT RAISE(ABORT, '" + sqliteMarkGone + "') WHERE NEW.kind = 'mark' " +
		"AND NOT EXISTS (SELECT 1 FROM main.users WHERE tenant_id = NEW.a4 AND id = NEW.a5); " +
		"UPDATE main.users SET last_auth_at = NEW.a1, " +
		"email_verified_at = CASE WHEN NEW.a2 AND email_verified_at IS NULL THEN NEW.a1 ELSE email_verified_at END, " +
		"phone_verified_at = CASE WHEN NEW.a3 AND phone_verified_at IS NULL THEN NEW.a1 ELSE phone_verified_at END " +
		"WHERE NEW.kind = 'mark' AND tenant_id = NEW.a4 AND id = NEW.a5; " +
		insert("sessions", sessionCols, "session") +
		insert("refresh_tokens", refreshCols, "refresh") +
		insert("audit_events", auditCols, "audit") +
		"END"
	return []string{view.String(), trigger}
}

func init() {
	schema := sqliteBatchSchema()
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, dsn string) error {
		if !strings.Contains(dsn, sqliteWriterMark) {
			return nil // only the writer writes
		}
		for _, q := range schema {
			if _, err := c.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("batched writes: %w", err)
			}
		}
		return nil
	})
}
