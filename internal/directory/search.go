package directory

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Page sizes of Search, as Mosaic's page_limit.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 5000
)

// scimFilter matches the one SCIM filter form Search understands: `attribute eq "value"`.
var scimFilter = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z_.]*)\s+([A-Za-z]{2})\s+"((?:[^"\\]|\\.)*)"\s*$`)

// scimLookups maps the SCIM attributes that name a unique identifier to the lookup field.
var scimLookups = map[string]string{
	"email": storage.UserByEmail, "email.value": storage.UserByEmail, "emails.value": storage.UserByEmail,
	"phone_number": storage.UserByPhone, "phone_number.value": storage.UserByPhone,
	"username": storage.UserByUsername, "external_user_id": storage.UserByExternalUserID,
	"user_id": model.IdentifierUserID, "id": model.IdentifierUserID,
}

// Search returns one page of the users c may see that match query, and how many match in all.
// An empty query matches everyone. A query of the form `attribute eq "value"` (a small subset of
// Mosaic's SCIM filters) matches exactly on user_id, email, phone_number, username,
// external_user_id or status; any other query is matched as a substring of the users'
// identifiers and names. A limit of 0 means DefaultPageLimit.
func (s *Service) Search(ctx context.Context, c model.Caller, query string, offset, limit int) ([]User, int, error) {
	var problems []string
	if offset < 0 {
		problems = append(problems, "page_offset: must not be negative")
	}
	if limit < 0 || limit > MaxPageLimit {
		problems = append(problems, "page_limit: must be between 1 and "+strconv.Itoa(MaxPageLimit))
	}
	if len(problems) > 0 {
		return nil, 0, fault.Validation(problems...)
	}
	if limit == 0 {
		limit = DefaultPageLimit
	}
	q := model.UserQuery{TenantID: c.TenantID, Search: strings.TrimSpace(query), Offset: offset, Limit: limit}
	if !c.Admin {
		q.AppID = c.AppID
	}
	if m := scimFilter.FindStringSubmatch(query); m != nil {
		attr, op := strings.ToLower(m[1]), strings.ToLower(m[2])
		value := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[3])
		if op != "eq" {
			return nil, 0, fault.Validation("search: only the eq operator is supported")
		}
		if field, ok := scimLookups[attr]; ok {
			return s.exact(ctx, c, field, value, offset)
		}
		if attr != "status" {
			return nil, 0, fault.Validation("search: eq filters on user_id, email, phone_number, username, external_user_id and status are supported, not " + clip(attr))
		}
		k := &checker{}
		q.Search, q.Status = "", k.status(value)
		if len(k.problems) > 0 || q.Status == "" {
			return nil, 0, fault.Validation("search: status must be one of Active, Disabled, Pending")
		}
	}
	users, total, err := s.store.ListUsers(ctx, q)
	if err != nil {
		return nil, 0, fault.Wrap(err, "list users")
	}
	out := make([]User, 0, len(users))
	if c.Admin {
		for _, u := range users {
			out = append(out, User{User: u})
		}
		return out, total, nil
	}
	// The application's data of the whole page, read in batches rather than user by user.
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	links, err := s.store.ListAppUsers(ctx, c.TenantID, c.AppID, ids)
	if err != nil {
		return nil, 0, fault.Wrap(err, "list application links")
	}
	data := make(map[string]model.AppUser, len(links))
	for _, l := range links {
		data[l.UserID] = l
	}
	for _, u := range users {
		l, ok := data[u.ID]
		if !ok {
			continue // unlinked since the listing; no longer this caller's user
		}
		out = append(out, User{User: u, CustomAppData: l.CustomAppData})
	}
	return out, total, nil
}

// exact answers an eq filter on a unique identifier: a page of at most one user.
func (s *Service) exact(ctx context.Context, c model.Caller, field, value string, offset int) ([]User, int, error) {
	var u User
	var err error
	if field == model.IdentifierUserID {
		u, err = s.Get(ctx, c, strings.TrimSpace(value))
	} else {
		u, err = s.GetBy(ctx, c, field, value)
	}
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Kind == fault.NotFound || fe.Kind == fault.Invalid) {
		return []User{}, 0, nil // a malformed value names nobody
	}
	if err != nil {
		return nil, 0, err
	}
	if offset > 0 {
		return []User{}, 1, nil
	}
	return []User{u}, 1, nil
}
