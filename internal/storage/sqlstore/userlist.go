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

// searchText is what ListUsers' Search matches against: the user's identifiers and names,
// lower-cased and one per line, so that a search never matches across two fields. The full
// name is there too, so that "ada lovelace" finds Ada Lovelace.
func searchText(u model.User) string {
	var full []string
	for _, n := range []string{u.Name.FirstName, u.Name.MiddleName, u.Name.LastName} {
		if n != "" {
			full = append(full, n)
		}
	}
	parts := []string{u.Email, u.PhoneNumber, u.Username, u.Name.FirstName, u.Name.LastName,
		u.Name.FirstName + " " + u.Name.LastName, strings.Join(full, " ")}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// likeEscaper escapes LIKE's wildcards so that a search matches them literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListUsers returns one page of the users matching q, ordered by creation time then id, and
// how many users match in all.
func (s *Store) ListUsers(ctx context.Context, q model.UserQuery) ([]model.User, int, error) {
	where := " FROM users u WHERE u.tenant_id = ?"
	args := []any{q.TenantID}
	if q.AppID != "" {
		where += " AND EXISTS (SELECT 1 FROM app_users au WHERE au.tenant_id = u.tenant_id" +
			" AND au.app_id = ? AND au.user_id = u.id)"
		args = append(args, q.AppID)
	}
	if q.Status != "" {
		where += " AND u.status = ?"
		args = append(args, q.Status)
	}
	if search := strings.ToLower(strings.TrimSpace(q.Search)); search != "" {
		where += ` AND u.search_text LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(search)+"%")
	}

	limit := q.Limit
	if limit <= 0 {
		limit = defaultUserLimit
	}
	limit = min(limit, maxUserLimit)
	offset := max(q.Offset, 0)

	r := s.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*)"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	cols := "u." + strings.ReplaceAll(userCols, ", ", ", u.")
	users, err := getAll(ctx, r, "list users", scanUser,
		"SELECT "+cols+where+" ORDER BY u.created_at, u.id LIMIT ? OFFSET ?",
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}
