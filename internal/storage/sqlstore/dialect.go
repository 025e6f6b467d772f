package sqlstore

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// dialect holds what differs between SQLite and PostgreSQL in the queries the store runs.
type dialect struct {
	postgres bool
	// forUpdate is appended to the SELECT of a read-modify-write so that it locks the row.
	// SQLite needs none: its single writer connection already serialises writes.
	forUpdate string
	// skipLocked is appended to the SELECT that picks outbox messages to lease, so that
	// concurrent workers pass over each other's rows instead of waiting for them.
	skipLocked string

	rebound sync.Map // query with ? placeholders -> query with $n placeholders
}

func newDialect(postgres bool) *dialect {
	if !postgres {
		return &dialect{}
	}
	return &dialect{postgres: true, forUpdate: " FOR UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED"}
}

// rebind returns q with its placeholders in the dialect's form, rewriting each distinct query
// only once.
func (d *dialect) rebind(q string) string {
	if !d.postgres {
		return q
	}
	if v, ok := d.rebound.Load(q); ok {
		return v.(string)
	}
	r := numberPlaceholders(q)
	d.rebound.Store(q, r)
	return r
}

// numberPlaceholders turns each ? outside a quoted string or identifier into $1, $2, ...
func numberPlaceholders(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte // the quote character we are inside of, or 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SQLite extended result codes for unique violations.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// uniqueFields are the field names a unique violation is reported with, longest first so that
// a suffix match finds "username" before "name" and "external_user_id" before "id".
var uniqueFields = []string{"external_user_id", "phone_number", "lookup_key", "token_hash", "username", "email", "name", "uri", "id"}

// uniqueViolation reports whether err is a unique-constraint violation and, if so, the field it
// collided on ("" when it cannot tell).
func (d *dialect) uniqueViolation(err error) (field string, ok bool) {
	if err == nil {
		return "", false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code != "23505" {
			return "", false
		}
		return fieldOfConstraint(pgErr.ConstraintName), true
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		switch sqlErr.Code() {
		case sqliteConstraintPrimaryKey:
			return "id", true
		case sqliteConstraintUnique:
			return fieldOfSQLiteMessage(sqlErr.Error()), true
		}
		return "", false
	}
	return "", false
}

// fieldOfConstraint maps a PostgreSQL constraint name such as users_email_key or tenants_pkey
// to a field name.
func fieldOfConstraint(name string) string {
	if strings.HasSuffix(name, "_pkey") {
		return "id"
	}
	name = strings.TrimSuffix(name, "_key")
	for _, f := range uniqueFields {
		if strings.HasSuffix(name, "_"+f) {
			return f
		}
	}
	return ""
}

// fieldOfSQLiteMessage finds the field in a message like
// "UNIQUE constraint failed: users.tenant_id, users.email (2067)": the last column named is
// the one that makes the key unique within its tenant.
func fieldOfSQLiteMessage(msg string) string {
	_, cols, found := strings.Cut(msg, "UNIQUE constraint failed: ")
	if !found {
		return ""
	}
	cols, _, _ = strings.Cut(cols, " (")
	last := cols
	if i := strings.LastIndexByte(cols, ','); i >= 0 {
		last = cols[i+1:]
	}
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	last = strings.TrimSpace(last)
	for _, f := range uniqueFields {
		if last == f {
			return f
		}
	}
	return ""
}

// retryable reports whether a transaction failed only because it lost a race with another
// one (a PostgreSQL deadlock or serialisation failure) and may simply be run again.
func (d *dialect) retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "40P01" || pgErr.Code == "40001"
}
