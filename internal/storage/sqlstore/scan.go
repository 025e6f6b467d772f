package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// millis is how times are stored: unix milliseconds, exact and sortable in both dialects.
func millis(t time.Time) int64 { return t.UnixMilli() }

// millisOrNull stores a nil time as NULL.
func millisOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// fromMillis is the inverse of millis, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// millisOrZero stores the zero time, which stands for "none", as 0.
func millisOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillisOrZero is the inverse of millisOrZero.
func fromMillisOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMillis(ms)
}

func fromNullMillis(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := fromMillis(ms.Int64)
	return &t
}

// truncate rounds t down to what the store keeps of a time, in UTC.
func truncate(t time.Time) time.Time { return fromMillis(millis(t)) }

// nullIfEmpty stores an empty string as NULL, which unique indexes ignore.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bytesOrNull stores an absent binary value as NULL, which is what "has none" means in the
// schema (sealed columns are found by IS NOT NULL), whatever a driver makes of a nil slice.
func bytesOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// rawOrNull stores an absent JSON document as NULL.
func rawOrNull(m json.RawMessage) any {
	if m == nil {
		return nil
	}
	return string(m)
}

func rawFromNull(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

// jsonText encodes v for a JSON text column. nil slices encode as null and empty ones as [],
// so both come back as they went in.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// fromJSONText decodes a JSON text column into v.
func fromJSONText(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// getOne runs a query expected to return one row and scans it, mapping no row to
// storage.ErrNotFound.
func getOne[T any](ctx context.Context, c conn, what string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(c.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// getOwned reads one row by its primary key alone, query taking id as its one argument, and
// checks on the row that it is the tenant's: another tenant's row answers not found, as a
// missing one does. Looking up by (tenant_id, id) instead lets PostgreSQL keep, for a
// statement prepared while the table was small, a generic plan through an index that starts
// with tenant_id, which reads every row of the tenant once the table has grown (9 ms a
// session lookup at 20,000 sessions); the primary key alone has one plan at every size.
func getOwned[T any](ctx context.Context, c conn, what string, scan func(scanner) (T, error), tenantOf func(T) string, query, tenantID, id string) (T, error) {
	v, err := getOne(ctx, c, what, scan, query, id)
	if err != nil {
		return v, err
	}
	if tenantOf(v) != tenantID {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	}
	return v, nil
}

// getAll runs a query and scans every row; it never returns a nil slice.
func getAll[T any](ctx context.Context, c conn, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := make([]T, 0)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// mustAffect turns a write that changed no row into storage.ErrNotFound.
func mustAffect(what string, n int64, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	}
	return nil
}

// update runs the read-modify-write every Update method shares: in one transaction, load the
// record (locking it where the dialect needs to), apply the updater, and store the result.
// The updater's error is returned as is.
func update[T any](ctx context.Context, s *Store, load func(tx *Store) (T, error), updater func(T) (T, error), store func(tx *Store, old, new T) error) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		old, err := load(tx)
		if err != nil {
			return err
		}
		next, err := updater(old)
		if err != nil {
			return err
		}
		return store(tx, old, next)
	})
}

// errf wraps err with what the store was doing.
func errf(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// placeholders returns n comma-separated ? placeholders, for IN lists.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
