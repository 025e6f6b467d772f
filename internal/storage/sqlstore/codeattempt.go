package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"

	"github.com/latchkey/latchkey/internal/model"
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

// codeUserCols are userCols of the code's user u, read through a left join: the columns
// scanUser reads into plain types get, when there is no user, a value it accepts ('null' for
// the JSON ones), and scanCodeUser then drops what was read. A NOT NULL column added to
// userCols needs its fallback here (the conformance suite reads codes without a user).
var codeUserCols = func() string {
	fallback := map[string]string{"id": "''", "tenant_id": "''", "name": "'null'", "address": "'null'",
		"birthday": "''", "picture": "''", "language": "''", "secondary_emails": "'null'",
		"secondary_phones": "'null'", "status": "''", "created_at": "0", "updated_at": "0"}
	cols := strings.Split(userCols, ", ")
	for i, c := range cols {
		if f, ok := fallback[c]; ok {
			cols[i] = "COALESCE(u." + c + ", " + f + ")"
		} else {
			cols[i] = "u." + c
		}
	}
	return strings.Join(cols, ", ")
}()

// codeUserSelect are the columns, and codeUserJoin the joins, that read the user of code c
// with their link to one application (the join's parameter), as GetUserAndLink does.
var codeUserSelect = "u.id IS NOT NULL, " + codeUserCols + ", " + linkCols

const codeUserJoin = "LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id " + linkJoin

// scanCodeUser scans a row of before, the code's columns, mid, then codeUserSelect.
func scanCodeUser(sc scanner, appID string, before, mid []any) (model.OneTimeCode, storage.CodeUser, error) {
	var cu storage.CodeUser
	var lr linkRow
	// The row is scanned once: scanUser hands its destinations to scanCode's.
	var code model.OneTimeCode
	user, err := scanUser(scanFunc(func(userDest ...any) error {
		after := append(append(append(append([]any{}, mid...), &cu.UserFound), userDest...), lr.dests()...)
		var err error
		code, err = scanCode(framed{sc, before, after})
		return err
	}))
	if err != nil {
		return code, storage.CodeUser{}, err
	}
	if cu.UserFound {
		cu.User = user
		cu.Link, cu.Linked = lr.link(user.TenantID, appID, user.ID)
	}
	return code, cu, nil
}

// CodeAttempt implements storage.Codes: the latest code as LatestCode finds it, and through
// it the user's lockout key and counter, and the user with their link as GetUserAndLink reads
// them, in one statement. The user's key and counter are built in SQL from the code's
// user_id, so that no second round trip waits for the code.
func (s *Store) CodeAttempt(ctx context.Context, q storage.CodeAttemptQuery) (storage.CodeAttempt, error) {
	nowMS := millis(q.Now)
	var out storage.CodeAttempt
	var locked, failures sql.NullInt64
	row := s.reader().queryRow(ctx, s.codeAttemptSQL(),
		q.TenantID, q.AppID, nowMS, q.LockKey, q.UserLockPrefix,
		q.UserCounterPrefix, q.Counter, nowMS,
		q.TenantID, q.AppID, q.Purpose, q.Identifier, q.AppID)
	code, cu, err := scanCodeUser(row, q.AppID, []any{&out.Found}, []any{&locked, &failures})
	if err != nil {
		return storage.CodeAttempt{}, fmt.Errorf("code attempt: %w", err)
	}
	if out.Found {
		out.Code = code
	}
	out.CodeUser = cu
	if locked.Valid {
		until := fromMillis(locked.Int64)
		out.LockedUntil = &until
	}
	out.Failures = failures.Int64
	return out, nil
}

// codeAttemptSQL is CodeAttempt's statement, of 13 parameters.
func (s *Store) codeAttemptSQL() string {
	userKey := "CASE WHEN c.user_id <> '' THEN CAST(? AS TEXT) || c.user_id END"
	counter := "CASE WHEN c.user_id <> '' THEN CAST(? AS TEXT) || c.user_id ELSE CAST(? AS TEXT) END"
	return "SELECT c.id IS NOT NULL, " + codeAttemptCols + ", " +
		"(SELECT MAX(locked_until) FROM lockouts WHERE tenant_id = ? AND app_id = ? AND locked_until > ? " +
		"AND lock_key IN (?, " + userKey + ")), " +
		"(SELECT count FROM counters WHERE key_hash = " + s.d.sha256Of(counter) + " AND expires_at > ?), " +
		codeUserSelect + " " +
		"FROM (SELECT 1 AS one) AS base LEFT JOIN (SELECT " + codeCols + " FROM codes " +
		"WHERE tenant_id = ? AND app_id = ? AND purpose = ? AND identifier = ? AND consumed_at IS NULL " +
		"ORDER BY created_at DESC, rowid DESC LIMIT 1) AS c ON 1 = 1 " + codeUserJoin
}

// codeWithUserSQL reads one code c by id with its user and their link.
var codeWithUserSQL = "SELECT c." + strings.ReplaceAll(codeCols, ", ", ", c.") + ", " + codeUserSelect +
	" FROM codes c " + codeUserJoin + " WHERE c.id = ? AND c.tenant_id = ?"

// CodeWithUser implements storage.Codes.
func (s *Store) CodeWithUser(ctx context.Context, tenantID, appID, id string) (model.OneTimeCode, storage.CodeUser, error) {
	code, cu, err := scanCodeUser(s.reader().queryRow(ctx, codeWithUserSQL, appID, id, tenantID), appID, nil, nil)
	if errors.Is(err, sql.ErrNoRows) {
		return model.OneTimeCode{}, storage.CodeUser{}, fmt.Errorf("code with user: %w", storage.ErrNotFound)
	}
	if err != nil {
		return model.OneTimeCode{}, storage.CodeUser{}, fmt.Errorf("code with user: %w", err)
	}
	return code, cu, nil
}

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

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
