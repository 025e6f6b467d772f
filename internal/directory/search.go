package directory

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Page sizes of Search, as Mosaic's page_limit.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 5000
)

// SearchInput is a search of users, as Mosaic's GET /v1/users takes it.
type SearchInput struct {
	// Search is a SCIM filter (see ParseFilter); empty matches everyone.
	Search string
	// Prefix matches users whose email or phone number starts with it (search_prefix).
	Prefix string
	// SortField is one of email, created_at (the default), phone_number and last_auth;
	// SortOrder is asc (the default) or desc.
	SortField string
	SortOrder string
	Offset    int
	// Limit is the page size; 0 means DefaultPageLimit.
	Limit int
	// Cursor, when set, is the NextCursor of the page before: the page starts after its last
	// user, however deep, at the cost of a first page. It does not combine with Offset.
	Cursor string
}

// sortFields are the orders a search takes, from Mosaic's sort_field.
var sortFields = map[string]string{
	"": model.UserSortCreatedAt, "created_at": model.UserSortCreatedAt, "email": model.UserSortEmail,
	"phone_number": model.UserSortPhone, "last_auth": model.UserSortLastAuth,
}

// query checks in and builds the store's query for c, or returns every problem with it.
func (s *Service) query(c model.Caller, in SearchInput) (model.UserQuery, error) {
	var problems []string
	q := model.UserQuery{TenantID: c.TenantID, Offset: in.Offset, Limit: in.Limit}
	if !c.Admin {
		q.AppID = c.AppID
	}
	switch {
	case in.Offset < 0:
		problems = append(problems, "page_offset: must not be negative")
	case in.Offset > MaxPageOffset:
		problems = append(problems, "page_offset: must be at most "+strconv.Itoa(MaxPageOffset)+
			"; to read further, pass page_info.end_cursor of a page as page_cursor to get the page after it")
	case in.Offset > 0 && in.Cursor != "":
		problems = append(problems, "page_offset: does not combine with page_cursor, which says where the page starts")
	}
	if in.Limit < 0 || in.Limit > MaxPageLimit {
		problems = append(problems, "page_limit: must be between 1 and "+strconv.Itoa(MaxPageLimit))
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageLimit
	}
	sort, ok := sortFields[in.SortField]
	switch {
	case in.SortField == "organization_added_at":
		problems = append(problems, "sort_field: organization_added_at orders the members of an organization, and Latchkey has no organizations")
	case !ok:
		problems = append(problems, "sort_field: must be one of email, created_at, phone_number, last_auth")
	}
	q.Sort = sort
	switch strings.ToLower(in.SortOrder) {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		problems = append(problems, "sort_order: must be asc or desc")
	}
	if p := strings.TrimSpace(in.Prefix); utf8.RuneCountInString(p) > maxEmailLen {
		problems = append(problems, "search_prefix: must be at most "+strconv.Itoa(maxEmailLen)+" characters")
	} else {
		q.Prefix = strings.ToLower(p) // emails are stored lower-cased; phone numbers have no case
	}
	if strings.TrimSpace(in.Search) != "" {
		f, err := ParseFilter(in.Search)
		var fe *fault.Error
		switch {
		case errors.As(err, &fe) && fe.Kind == fault.Invalid:
			problems = append(problems, fe.Details...)
		case err != nil:
			return q, err
		default:
			q.Filter = &f
		}
	}
	if in.Cursor != "" && ok {
		key, problem := parseCursor(in.Cursor, sort, q.Desc)
		if problem != "" {
			problems = append(problems, problem)
		}
		q.After = key
	}
	if len(problems) > 0 {
		return q, fault.Validation(problems...)
	}
	return q, nil
}

// Search returns one page of the users c may see that match in, and how many match in all.
//
// Its cost does not grow with the number of users for the first page, a page after a cursor,
// or a search_prefix or eq or sw search of email, phone_number, username, external_user_id
// or user_id: the total of a filtered search stops at MaxCountedMatches, and offsets stop at
// MaxPageOffset.
func (s *Service) Search(ctx context.Context, c model.Caller, in SearchInput) ([]User, int, error) {
	q, err := s.query(c, in)
	if err != nil {
		return nil, 0, err
	}
	q.CountUpTo = MaxCountedMatches
	users, total, err := s.store.ListUsers(ctx, q)
	if err != nil {
		return nil, 0, fault.Wrap(err, "list users")
	}
	out := make([]User, 0, len(users))
	if c.Admin {
		for _, u := range users {
			out = append(out, User{User: u})
		}
	} else {
		// The application's data of the whole page, read in batches rather than user by user.
		ids := make([]string, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		links, err := s.store.ListAppUsers(ctx, c.TenantID, c.AppID, ids)
		if err != nil {
			return nil, 0, fault.Wrap(err, "list application links")
		}
		byUser := make(map[string]model.AppUser, len(links))
		for _, l := range links {
			byUser[l.UserID] = l
		}
		for _, u := range users {
			l, ok := byUser[u.ID]
			if !ok {
				continue // unlinked since the listing; no longer this caller's user
			}
			out = append(out, withLink(u, l))
		}
	}
	if err := s.describe(ctx, c, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Count returns how many users c may see match the SCIM filter search (all of them when it is
// empty).
func (s *Service) Count(ctx context.Context, c model.Caller, search string) (int, error) {
	q, err := s.query(c, SearchInput{Search: search})
	if err != nil {
		return 0, err
	}
	n, err := s.store.CountUsers(ctx, q)
	if err != nil {
		return 0, fault.Wrap(err, "count users")
	}
	return n, nil
}
