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
		b := filterBuilder{d: s.d}
		where += " AND (" + b.startsWith("u.email", q.Prefix, false) + " OR " + b.startsWith("u.phone_number", q.Prefix, false) + ")"
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
// in all.
func (s *Store) ListUsers(ctx context.Context, q model.UserQuery) ([]model.User, int, error) {
	col, ok := userSortCols[q.Sort]
	if !ok {
		return nil, 0, fmt.Errorf("list users: unknown sort %q", q.Sort)
	}
	where, args, err := s.userWhere(q)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
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
	// Users without a value come last in either direction; ties are ordered by id.
	order := col + dir + ", u.id" + dir
	if col != "u.created_at" {
		order = "(" + col + " IS NULL), " + order
	}

	r := s.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*)"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	cols := "u." + strings.ReplaceAll(userCols, ", ", ", u.")
	users, err := getAll(ctx, r, "list users", scanUser,
		"SELECT "+cols+where+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// CountUsers returns how many users q matches; its order and page are ignored.
func (s *Store) CountUsers(ctx context.Context, q model.UserQuery) (int, error) {
	where, args, err := s.userWhere(q)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	var total int
	if err := s.reader().queryRow(ctx, "SELECT COUNT(*)"+where, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return total, nil
}
