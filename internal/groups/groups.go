package groups

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Limits of a group's fields and of one request's list of users.
const (
	MaxNameLen        = 256
	MaxDescriptionLen = 1024
	MaxCustomData     = 16 << 10
	MaxUsersPerAdd    = 100
)

var (
	errGroupNotFound = fault.New(fault.NotFound, "group_not_found", "group not found")
	errNameTaken     = fault.New(fault.Conflict, "group_already_exists", "a group with this name already exists")
	errNotMember     = fault.New(fault.NotFound, "user_not_in_group", "user is not a member of this group")
	errUserNotFound  = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
)

// Service runs the Groups API's operations.
type Service struct {
	store storage.Store
	now   func() time.Time
}

// New returns a Service over store; now gives the time records are stamped with.
func New(store storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Input is a create or update request. A nil field is absent: left as it is on update, empty
// on create (where Name is required).
type Input struct {
	Name        *string
	Description *string
	CustomData  json.RawMessage // a JSON object; absent when nil, cleared by null
}

// Create stores a new group of the caller's tenant.
func (s *Service) Create(ctx context.Context, c model.Caller, in Input) (model.Group, error) {
	now := s.timestamp()
	g := model.Group{ID: model.NewID(), TenantID: c.TenantID, CreatedAt: now, UpdatedAt: now}
	if p := apply(&g, in, true); len(p) > 0 {
		return model.Group{}, fault.Validation(p...)
	}
	if err := s.store.CreateGroup(ctx, g); err != nil {
		return model.Group{}, groupErr(err, "create group")
	}
	return g, nil
}

// Get returns one group of the caller's tenant.
func (s *Service) Get(ctx context.Context, c model.Caller, id string) (model.Group, error) {
	g, err := s.store.GetGroup(ctx, c.TenantID, id)
	return g, groupErr(err, "get group")
}

// List returns the groups of the caller's tenant, oldest first.
func (s *Service) List(ctx context.Context, c model.Caller) ([]model.Group, error) {
	list, err := s.store.ListGroups(ctx, c.TenantID)
	if err != nil {
		return nil, fault.Wrap(err, "list groups")
	}
	return list, nil
}

// Update changes the fields present in in. Custom data is replaced whole, never merged, as
// Mosaic does for object fields.
func (s *Service) Update(ctx context.Context, c model.Caller, id string, in Input) (model.Group, error) {
	// The input is checked on a blank group first, so that a bad body is refused as such
	// whether or not the group exists.
	if p := apply(&model.Group{Name: "x"}, in, false); len(p) > 0 {
		return model.Group{}, fault.Validation(p...)
	}
	var out model.Group
	err := s.store.UpdateGroup(ctx, c.TenantID, id, func(cur model.Group) (model.Group, error) {
		if p := apply(&cur, in, false); len(p) > 0 {
			return cur, fault.Validation(p...)
		}
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	return out, groupErr(err, "update group")
}

// Delete deletes a group with its memberships; its members' users stay.
func (s *Service) Delete(ctx context.Context, c model.Caller, id string) error {
	return groupErr(s.store.DeleteGroup(ctx, c.TenantID, id), "delete group")
}

// AddUsers makes users of the caller's tenant members of a group, in one transaction: a
// missing group or user refuses the whole request and changes nothing. Users already members
// stay members.
func (s *Service) AddUsers(ctx context.Context, c model.Caller, groupID string, userIDs []string) error {
	if len(userIDs) == 0 {
		return fault.Validation("user_ids must name at least one user")
	}
	if len(userIDs) > MaxUsersPerAdd {
		return fault.Validation(fmt.Sprintf("user_ids must name at most %d users", MaxUsersPerAdd))
	}
	ids := slices.Compact(slices.Sorted(slices.Values(userIDs)))
	for _, id := range ids {
		if !model.ValidID(id) {
			return errUserNotFound
		}
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetGroup(ctx, c.TenantID, groupID); err != nil {
			return groupErr(err, "get group")
		}
		for _, id := range ids {
			if _, err := tx.GetUser(ctx, c.TenantID, id); errors.Is(err, storage.ErrNotFound) {
				return errUserNotFound
			} else if err != nil {
				return fault.Wrap(err, "get user")
			}
		}
		return tx.AddGroupUsers(ctx, c.TenantID, groupID, ids, s.timestamp())
	})
	return groupErr(err, "add group users")
}

// RemoveUser ends a user's membership of a group.
func (s *Service) RemoveUser(ctx context.Context, c model.Caller, groupID, userID string) error {
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetGroup(ctx, c.TenantID, groupID); err != nil {
			return groupErr(err, "get group")
		}
		if err := tx.RemoveGroupUser(ctx, c.TenantID, groupID, userID); errors.Is(err, storage.ErrNotFound) {
			return errNotMember
		} else if err != nil {
			return fault.Wrap(err, "remove group user")
		}
		return nil
	})
	return groupErr(err, "remove group user")
}

// Users returns the ids of a group's members, in the order they joined.
func (s *Service) Users(ctx context.Context, c model.Caller, groupID string) ([]string, error) {
	if _, err := s.store.GetGroup(ctx, c.TenantID, groupID); err != nil {
		return nil, groupErr(err, "get group")
	}
	ids, err := s.store.ListGroupUsers(ctx, c.TenantID, groupID)
	if err != nil {
		return nil, fault.Wrap(err, "list group users")
	}
	return ids, nil
}

// UserGroups returns the groups a user of the caller's tenant belongs to, oldest first: what
// the Users API's user groups operation lists. A missing user is user_not_found.
func (s *Service) UserGroups(ctx context.Context, c model.Caller, userID string) ([]model.Group, error) {
	if _, err := s.store.GetUser(ctx, c.TenantID, userID); errors.Is(err, storage.ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, fault.Wrap(err, "get user")
	}
	return Of(ctx, s.store, c.TenantID, userID)
}

// Of returns the groups of a user in one read, for callers that already know the user exists
// (token claims).
func Of(ctx context.Context, store storage.Groups, tenantID, userID string) ([]model.Group, error) {
	list, err := store.ListUserGroups(ctx, tenantID, userID)
	if err != nil {
		return nil, fault.Wrap(err, "list user groups")
	}
	return list, nil
}

// apply validates in and applies it to g, returning every problem found.
func apply(g *model.Group, in Input, create bool) []string {
	var p []string
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = *in.Name
		}
		switch {
		case name == "":
			p = append(p, "name is required")
		case !utf8.ValidString(name) || len(name) > MaxNameLen:
			p = append(p, fmt.Sprintf("name must be valid UTF-8 of at most %d bytes", MaxNameLen))
		}
		g.Name = name
	}
	if in.Description != nil {
		if !utf8.ValidString(*in.Description) || len(*in.Description) > MaxDescriptionLen {
			p = append(p, fmt.Sprintf("description must be valid UTF-8 of at most %d bytes", MaxDescriptionLen))
		}
		g.Description = *in.Description
	}
	if in.CustomData != nil {
		data := bytes.TrimSpace(in.CustomData)
		switch {
		case string(data) == "null":
			g.CustomData = nil
		case len(data) > MaxCustomData:
			p = append(p, fmt.Sprintf("custom_data must be at most %d bytes", MaxCustomData))
		case len(data) == 0 || data[0] != '{' || !json.Valid(data):
			p = append(p, "custom_data must be a JSON object")
		default:
			g.CustomData = json.RawMessage(slices.Clone(data))
		}
	}
	return p
}

// groupErr maps storage errors: faults pass through, a missing group is group_not_found, a
// taken name a conflict, anything else internal.
func groupErr(err error, op string) error {
	var fe *fault.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, storage.ErrNotFound):
		return errGroupNotFound.With(err)
	case errors.Is(err, storage.ErrAlreadyExists):
		return errNameTaken.With(err)
	}
	return fault.Wrap(err, op)
}
