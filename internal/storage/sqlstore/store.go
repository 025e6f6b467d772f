package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/storage"
)

// Store is storage.Store on SQLite or PostgreSQL. A Store returned by Open owns its pools; the
// Store that InTx hands to its function is bound to one transaction and shares them.
type Store struct {
	w     *sql.DB // writes, and transactions; on SQLite a single connection
	r     *sql.DB // plain reads; the same pool as w on PostgreSQL
	d     *dialect
	stats *stats
	ps    *prepared     // nil on PostgreSQL
	cp    *checkpointer // SQLite's background checkpoints; nil on PostgreSQL
	// tracer starts each transaction's span; nil when tracing is off (see SetTracer).
	tracer observe.Tracer

	tx *sql.Tx // set when the store is bound to a transaction
	// savepoints makes statements that may hit a unique violation run under a savepoint, so
	// that on PostgreSQL the caller's transaction survives the error and can go on (to look
	// the existing record up, say). Only stores handed out by InTx need it.
	savepoints bool
	// held are the writes a transaction holds back (see batch.go); nil outside one.
	held *heldWrites
}

var (
	_ storage.Store       = (*Store)(nil)
	_ storage.Counters    = (*Store)(nil)
	_ storage.Audit       = (*Store)(nil)
	_ storage.Credentials = (*Store)(nil)
)

// maxTxAttempts bounds how often the store reruns a transaction of its own that lost a
// PostgreSQL deadlock or serialisation race.
const maxTxAttempts = 5

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL, or else the
// path of a SQLite file, created with its parent directory when missing. It does not migrate
// the schema: call Migrate, or use OpenAndMigrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// OpenAndMigrate opens the database and brings its schema up to date.
func OpenAndMigrate(ctx context.Context, dsn string) (*Store, error) {
	s, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// DefaultMaxConns bounds a node's connections to PostgreSQL unless SetMaxConns says otherwise.
const DefaultMaxConns = 25

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	setPool(db, DefaultMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &Store{w: db, r: db, d: newDialect(true), stats: &stats{}}, nil
}

// setPool lets db open n connections and keeps every one of them idle between uses: with
// fewer idle than open, a burst above the idle limit closes connections as requests finish
// and opens new ones for the next burst, and a new PostgreSQL connection (a forked backend,
// authentication) costs milliseconds. Connections idle for minutes are closed.
func setPool(db *sql.DB, n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
}

// dropIdle closes db's idle connections, keeping its limits: the pool fills again with fresh
// connections as they are needed.
func dropIdle(db *sql.DB) {
	n := db.Stats().MaxOpenConnections
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(n)
}

// SetMaxConns bounds the store's PostgreSQL connections (DefaultMaxConns until called). On
// SQLite, whose pools are sized to its one writer and the CPUs, it does nothing.
func (s *Store) SetMaxConns(n int) {
	if s.d.postgres && s.tx == nil && n > 0 {
		setPool(s.w, n)
	}
}

// Close releases the store's connections. Closing a store bound to a transaction does nothing.
func (s *Store) Close() error {
	if s.tx != nil {
		return nil
	}
	if s.ps != nil {
		s.ps.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if s.cp != nil {
		// After the writer and readers: nothing holds the log any more, so the last
		// checkpoint copies all of it and empties the file.
		err = errors.Join(err, s.cp.close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Stats returns how many SQL statements and transactions the store and the stores bound to
// its transactions have run since it was opened.
func (s *Store) Stats() (statements, transactions int64) {
	return s.stats.statements.Load(), s.stats.transactions.Load()
}

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.d.postgres }

// reader runs plain reads: inside the transaction when bound to one, else on the read pool.
func (s *Store) reader() conn {
	if s.tx != nil {
		return conn{q: s.tx, d: s.d, st: s.stats, ps: s.ps, db: s.w, tx: s.tx, owner: s}
	}
	return conn{q: s.r, d: s.d, st: s.stats, ps: s.ps, db: s.r}
}

// writer runs writes: inside the transaction when bound to one, else on the write pool.
func (s *Store) writer() conn {
	if s.tx != nil {
		return conn{q: s.tx, d: s.d, st: s.stats, ps: s.ps, db: s.w, tx: s.tx, owner: s}
	}
	return conn{q: s.w, d: s.d, st: s.stats, ps: s.ps, db: s.w}
}

// InTx runs fn with a store bound to one transaction; nested calls reuse it. fn must write
// through the store it is given only: on SQLite the transaction holds the one writer
// connection, so a write through the outer store would wait for fn forever.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.runTx(ctx, true, func(tx *Store) error { return fn(tx) })
}

// inOwnTx runs fn in the store's transaction when it has one, else in a new transaction that
// is run again if it loses a deadlock. fn may therefore run more than once.
func (s *Store) inOwnTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	var err error
	for range maxTxAttempts {
		err = s.runTx(ctx, false, fn)
		if !s.d.retryable(err) {
			return err
		}
	}
	return err
}

// runTx runs fn in a new transaction, committed when fn returns nil. fn's own error is returned
// unchanged.
func (s *Store) runTx(ctx context.Context, caller bool, fn func(tx *Store) error) (err error) {
	ctx, span := s.txSpan(ctx)
	defer func() { span.End(err) }()
	var opts *sql.TxOptions
	if s.d.postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := s.w.BeginTx(ctx, opts)
	if err != nil && s.d.postgres && ctx.Err() == nil {
		// A BEGIN that failed ran nothing, so trying again is safe. After a database restart
		// the pooled connections fail their next statement one by one; dropping the idle ones
		// first makes the second try dial a fresh connection rather than meet the next stale
		// one.
		dropIdle(s.w)
		tx, err = s.w.BeginTx(ctx, opts)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	s.stats.transactions.Add(1)
	bound := &Store{w: s.w, r: s.r, d: s.d, stats: s.stats, ps: s.ps, tracer: s.tracer, tx: tx, savepoints: caller && s.d.postgres, held: &heldWrites{}}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
		if s.ps != nil {
			// The writer connection is free again: prepare what the transaction met first.
			s.ps.flush(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(bound); err != nil {
		return err
	}
	if err := bound.sendHeld(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// sessionEnded reports whether err is PostgreSQL's notice that it ended the connection's
// session: an administrator's pg_terminate_backend or a shutdown (57P01), the crash of another
// server process (57P02), the idle-session timeout (57P05). The server sends it in place of
// the statement's result, and rolls back whatever the session was running, so a statement run
// on its own (outside a transaction) that fails with it changed nothing and may run again.
func sessionEnded(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "57P01", "57P02", "57P05":
		return true
	}
	return false
}

// execRandomID is execUnique for records whose only unique keys are random (ids, token
// hashes): a collision is a bug no caller recovers from, so on PostgreSQL the write takes no
// savepoint, which saves two statements per write on every login's hot path.
func (s *Store) execRandomID(ctx context.Context, what, query string, args ...any) (int64, error) {
	plain := *s
	plain.savepoints = false
	return plain.execUnique(ctx, what, query, args...)
}

// execUnique runs a write that may collide with a unique constraint, turning a collision into
// a *storage.DuplicateError (or plain storage.ErrAlreadyExists when the field is unknown). It
// returns the number of rows changed.
func (s *Store) execUnique(ctx context.Context, what, query string, args ...any) (int64, error) {
	w := s.writer()
	if s.savepoints {
		if _, err := w.exec(ctx, "SAVEPOINT lk_unique"); err != nil {
			return 0, fmt.Errorf("%s: savepoint: %w", what, err)
		}
	}
	n, err := w.execAffected(ctx, query, args...)
	if s.savepoints {
		end := "RELEASE SAVEPOINT lk_unique"
		if err != nil {
			end = "ROLLBACK TO SAVEPOINT lk_unique"
		}
		if _, spErr := w.exec(ctx, end); spErr != nil && err == nil {
			err = spErr
		}
	}
	if err == nil {
		return n, nil
	}
	if field, ok := s.d.uniqueViolation(err); ok {
		if field == "" {
			return 0, fmt.Errorf("%s: %w", what, storage.ErrAlreadyExists)
		}
		return 0, fmt.Errorf("%s: %w", what, &storage.DuplicateError{Field: field})
	}
	return 0, fmt.Errorf("%s: %w", what, err)
}
