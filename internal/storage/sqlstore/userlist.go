package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
)

// Page sizes of ListUsers.
const (
	defaultUserLimit = 100
	maxUserLimit     = 5000
)

// userSortCols are the columns ListUsers orders by, from the model.UserSort* constants.
var userSortCols = map[string]string{
	"":                      "u.created_at",
	model.UserSortCreatedAt: "u.created_at",
	model.UserSortEmail:     "u.email",
	model.UserSortPhone:     "u.phone_number",
	model.UserSortLastAuth:  "u.last_auth_at",
}

// userWhere returns the FROM and WHERE clauses selecting the users q matches, with their
// arguments.
func (s *Store) userWhere(q model.UserQuery) (string, []any, error) {
	where := " FROM users u WHERE u.tenant_id = ?"
	args := []any{q.TenantID}
	if q.AppID != "" {
		where += " AND EXISTS (SELECT 1 FROM app_users au WHERE au.tenant_id = u.tenant_id" +
			" AND au.app_id = ? AND au.user_id = u.id)"
		args = append(args, q.AppID)
	}
	if q.Prefix != "" {
		// The tenant is repeated in each branch so that each is one range of an index.
		b := filterBuilder{d: s.d}
		b.args = append(b.args, q.TenantID)
		email := b.startsWith("u.email", q.Prefix, false)
		b.args = append(b.args, q.TenantID)
		phone := b.startsWith("u.phone_number", q.Prefix, false)
		where += " AND ((u.tenant_id = ? AND " + email + ") OR (u.tenant_id = ? AND " + phone + "))"
		args = append(args, b.args...)
	}
	if q.Filter != nil {
		b := filterBuilder{d: s.d, appID: q.AppID}
		cond, err := b.cond(*q.Filter, 0)
		if err != nil {
			return "", nil, err
		}
		where += " AND " + cond
		args = append(args, b.args...)
	}
	return where, args, nil
}

// ListUsers returns one page of the users matching q in q's order, and how many users match
// in all (see CountUsers).
func (s *Store) ListUsers(ctx context.Context, q model.UserQuery) ([]model.User, int, error) {
	page, count, err := s.userStatements(q)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	r := s.reader()
	var total int
	if err := r.queryRow(ctx, count.sql, count.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	users, err := getAll(ctx, r, "list users", scanUser, page.sql, page.args...)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// statement is an SQL statement with its arguments.
type statement struct {
	sql  string
	args []any
}

// userStatements returns the statements ListUsers runs for q: the one reading the page and
// the one counting the matches.
func (s *Store) userStatements(q model.UserQuery) (page, count statement, err error) {
	col, ok := userSortCols[q.Sort]
	if !ok {
		return page, count, fmt.Errorf("unknown sort %q", q.Sort)
	}
	where, args, err := s.userWhere(q)
	if err != nil {
		return page, count, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultUserLimit
	}
	limit = min(limit, maxUserLimit)
	offset := max(q.Offset, 0)
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	// Users without a value come last in either direction; ties are ordered by id. Every
	// user has a creation time, and an order by it alone follows users_created_idx.
	order := col + dir + ", u.id" + dir
	nullable := col != "u.created_at"
	if nullable {
		order = "(" + col + " IS NULL), " + order
	} else if q.Prefix != "" && !s.d.postgres {
		// SQLite, without statistics, would rather walk users_created_idx in order than
		// sort: with a prefix that reads every user of the tenant. The unary + keeps the
		// index from giving the order, so that the prefix's ranges lead.
		order = "+" + order
	}
	count = s.userCount(q, where, args)
	if q.After != nil {
		offset = 0
		cond, after := keysetAfter(col, nullable, q.Desc, *q.After)
		where += " AND " + cond
		args = append(args[:len(args):len(args)], after...)
	}
	cols := "u." + strings.ReplaceAll(userCols, ", ", ", u.")
	page = statement{"SELECT " + cols + where + " ORDER BY " + order + " LIMIT ? OFFSET ?", append(args, limit, offset)}
	return page, count, nil
}

// keysetAfter is the condition that a user comes after key in the order by col (ascending
// unless desc, users without a value last, ties by id), with its arguments. It is written
// as row comparisons, which both databases answer from an index on (col, id).
func keysetAfter(col string, nullable, desc bool, key model.UserKey) (string, []any) {
	cmp := " > "
	if desc {
		cmp = " < "
	}
	if key.Value == nil {
		// Past the users with a value: only those without one, in the order of their ids.
		return "(" + col + " IS NULL AND u.id" + cmp + "?)", []any{key.ID}
	}
	cond := "(" + col + ", u.id)" + cmp + "(?, ?)"
	if nullable {
		cond = "(" + col + " IS NULL OR " + cond + ")"
	}
	return cond, []any{key.Value, key.ID}
}

// CountUsers returns how many users q matches; its order and page are ignored. Without a
// filter or prefix the count is read from user_counts; with one it stops at q.CountUpTo
// when that is set.
func (s *Store) CountUsers(ctx context.Context, q model.UserQuery) (int, error) {
	where, args, err := s.userWhere(q)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	c := s.userCount(q, where, args)
	var total int
	if err := s.reader().queryRow(ctx, c.sql, c.args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return total, nil
}

// userCount is the statement counting the users that where (built by userWhere for q)
// selects.
func (s *Store) userCount(q model.UserQuery, where string, args []any) statement {
	switch {
	case q.Filter == nil && q.Prefix == "":
		return statement{"SELECT COALESCE(SUM(n), 0) FROM user_counts WHERE tenant_id = ? AND app_id = ?", []any{q.TenantID, q.AppID}}
	case q.CountUpTo > 0:
		return statement{"SELECT COUNT(*) FROM (SELECT 1" + where + " LIMIT ?) m", append(args[:len(args):len(args)], q.CountUpTo)}
	}
	return statement{"SELECT COUNT(*)" + where, args}
}
