package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"

	"github.com/latchkey/latchkey/internal/storage"
)

// sqliteSHA256 is SQLite's name for SHA-256 of a text's UTF-8 bytes, which SQLite lacks and
// PostgreSQL has (sha256): a statement can then find a counter by a key it builds itself
// (counterKey). Registered once for every connection the driver opens.
const sqliteSHA256 = "latchkey_sha256"

func init() {
	err := sqlite.RegisterDeterministicScalarFunction(sqliteSHA256, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var b []byte
		switch v := args[0].(type) {
		case string:
			b = []byte(v)
		case []byte:
			b = v
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("%s: not text: %T", sqliteSHA256, v)
		}
		h := sha256.Sum256(b)
		return h[:], nil
	})
	if err != nil {
		panic(err)
	}
}

// sha256Of is the dialect's SQL for counterKey(expr), expr being text.
func (d *dialect) sha256Of(expr string) string {
	if d.postgres {
		return "sha256(convert_to(" + expr + ", 'UTF8'))"
	}
	return sqliteSHA256 + "(" + expr + ")"
}

// codeAttemptCols are codeCols of the latest code c, read through a left join: each is a
// column's zero value when there is no code, so that scanCode can read the row either way.
const codeAttemptCols = "COALESCE(c.id, ''), COALESCE(c.tenant_id, ''), COALESCE(c.app_id, ''), " +
	"COALESCE(c.client_id, ''), COALESCE(c.user_id, ''), COALESCE(c.purpose, ''), COALESCE(c.channel, ''), " +
	"COALESCE(c.identifier_type, ''), COALESCE(c.identifier, ''), COALESCE(c.destination, ''), c.code_hash, " +
	"COALESCE(c.request_id, ''), c.approval_data, c.payload, COALESCE(c.failures, 0), COALESCE(c.max_failures, 0), " +
	"COALESCE(c.expires_at, 0), c.consumed_at, COALESCE(c.created_at, 0)"

// CodeAttempt implements storage.Codes: the latest code as LatestCode finds it, and through
// it the user's lockout key and counter, in one statement. The user's key and counter are
// built in SQL from the code's user_id, so that no second round trip waits for the code.
func (s *Store) CodeAttempt(ctx context.Context, q storage.CodeAttemptQuery) (storage.CodeAttempt, error) {
	nowMS := millis(q.Now)
	userKey := "CASE WHEN c.user_id <> '' THEN CAST(? AS TEXT) || c.user_id END"
	counter := "CASE WHEN c.user_id <> '' THEN CAST(? AS TEXT) || c.user_id ELSE CAST(? AS TEXT) END"
	query := "SELECT c.id IS NOT NULL, " + codeAttemptCols + ", " +
		"(SELECT MAX(locked_until) FROM lockouts WHERE tenant_id = ? AND app_id = ? AND locked_until > ? " +
		"AND lock_key IN (?, " + userKey + ")), " +
		"(SELECT count FROM counters WHERE key_hash = " + s.d.sha256Of(counter) + " AND expires_at > ?) " +
		"FROM (SELECT 1 AS one) AS base LEFT JOIN (SELECT " + codeCols + " FROM codes " +
		"WHERE tenant_id = ? AND app_id = ? AND purpose = ? AND identifier = ? AND consumed_at IS NULL " +
		"ORDER BY created_at DESC, rowid DESC LIMIT 1) AS c ON 1 = 1"
	var out storage.CodeAttempt
	var locked, failures sql.NullInt64
	row := s.reader().queryRow(ctx, query,
		q.TenantID, q.AppID, nowMS, q.LockKey, q.UserLockPrefix,
		q.UserCounterPrefix, q.Counter, nowMS,
		q.TenantID, q.AppID, q.Purpose, q.Identifier)
	code, err := scanCode(framed{row, []any{&out.Found}, []any{&locked, &failures}})
	if err != nil {
		return out, fmt.Errorf("code attempt: %w", err)
	}
	if out.Found {
		out.Code = code
	}
	if locked.Valid {
		until := fromMillis(locked.Int64)
		out.LockedUntil = &until
	}
	out.Failures = failures.Int64
	return out, nil
}

// framed scans a row whose columns are, in order, before, what the wrapped scan reads, and
// after.
type framed struct {
	sc            scanner
	before, after []any
}

func (f framed) Scan(dest ...any) error {
	all := append(append(append(make([]any, 0, len(f.before)+len(dest)+len(f.after)), f.before...), dest...), f.after...)
	return f.sc.Scan(all...)
}
