package roles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Limits on what a role may hold.
const (
	MaxNameLen        = 100
	MaxDisplayNameLen = 200
	MaxDescriptionLen = 1000
	MaxPermissions    = 200
	MaxPermissionLen  = 128
	// MaxEntities is how many users one assignment request may name.
	MaxEntities = 100
)

// EntityUser is the only kind of entity Latchkey assigns roles to (Mosaic also names Group
// and Application).
const EntityUser = "User"

// Public errors.
var (
	errAppNotFound  = fault.New(fault.NotFound, fault.CodeAppNotFound, "application not found")
	errRoleNotFound = fault.New(fault.NotFound, "role_not_found", "role not found")
	errUserNotFound = fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	errNotAssigned  = fault.New(fault.NotFound, "role_assignment_not_found", "the user does not have this role")
	errNameTaken    = fault.New(fault.Conflict, fault.CodeConflict, "a role with this role_name already exists in the application")
)

// Service manages applications' roles and their assignments.
type Service struct {
	store storage.Store
	now   func() time.Time
}

// New returns a Service over store; now is time.Now when nil.
func New(store storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Input is a role as a request gives it. A nil field is absent: on create it takes its
// default (role_name is required), on update it stays as it is.
type Input struct {
	Name        *string
	DisplayName *string
	Description *string
	Permissions *[]string
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// checkApp makes sure appID is an application of the caller's tenant.
func (s *Service) checkApp(ctx context.Context, st storage.Store, c model.Caller, appID string) error {
	if _, err := st.GetApplication(ctx, c.TenantID, appID); err != nil {
		return storeErr(err, errAppNotFound, "get application")
	}
	return nil
}

// CreateRole creates a role in one of the caller's tenant's applications.
func (s *Service) CreateRole(ctx context.Context, c model.Caller, appID string, in Input) (model.Role, error) {
	now := s.timestamp()
	r := model.Role{ID: model.NewID(), TenantID: c.TenantID, AppID: appID, Permissions: []string{}, CreatedAt: now, UpdatedAt: now}
	if p := apply(&r, in, true); len(p) > 0 {
		return model.Role{}, fault.Validation(p...)
	}
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return model.Role{}, err
	}
	if err := s.store.CreateRole(ctx, r); err != nil {
		return model.Role{}, roleErr(err, "create role")
	}
	markHasRoles(c.TenantID, appID, s.now())
	return r, nil
}

// Roles lists the application's roles, oldest first.
func (s *Service) Roles(ctx context.Context, c model.Caller, appID string) ([]model.Role, error) {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return nil, err
	}
	list, err := s.store.ListRoles(ctx, c.TenantID, appID)
	if err != nil {
		return nil, fault.Wrap(err, "list roles")
	}
	return list, nil
}

// Role returns one of the application's roles.
func (s *Service) Role(ctx context.Context, c model.Caller, appID, roleID string) (model.Role, error) {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return model.Role{}, err
	}
	r, err := s.store.GetRole(ctx, c.TenantID, appID, roleID)
	return r, roleErr(err, "get role")
}

// UpdateRole changes the fields present in in and returns the role as stored.
func (s *Service) UpdateRole(ctx context.Context, c model.Caller, appID, roleID string, in Input) (model.Role, error) {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return model.Role{}, err
	}
	var out model.Role
	err := s.store.UpdateRole(ctx, c.TenantID, appID, roleID, func(cur model.Role) (model.Role, error) {
		if p := apply(&cur, in, false); len(p) > 0 {
			return cur, fault.Validation(p...)
		}
		cur.UpdatedAt = s.timestamp()
		out = cur
		return cur, nil
	})
	if err != nil {
		return model.Role{}, roleErr(err, "update role")
	}
	return out, nil
}

// DeleteRole deletes a role; the users who had it lose it.
func (s *Service) DeleteRole(ctx context.Context, c model.Caller, appID, roleID string) error {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return err
	}
	return roleErr(s.store.DeleteRole(ctx, c.TenantID, appID, roleID), "delete role")
}

// Assign gives a role to users, all or none: every user must exist in the caller's tenant.
// Giving a role a user already has changes nothing.
func (s *Service) Assign(ctx context.Context, c model.Caller, appID, roleID, entityType string, userIDs []string) error {
	var p []string
	if entityType != EntityUser {
		p = append(p, fmt.Sprintf("entity_type must be %q: Latchkey assigns roles to users only", EntityUser))
	}
	if len(userIDs) == 0 || len(userIDs) > MaxEntities {
		p = append(p, fmt.Sprintf("entity_ids must name 1 to %d users", MaxEntities))
	}
	for _, id := range userIDs {
		if id == "" || len(id) > 128 {
			p = append(p, "entity_ids must hold user ids of 1 to 128 bytes")
			break
		}
	}
	if len(p) > 0 {
		return fault.Validation(p...)
	}
	now := s.timestamp()
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if err := s.checkApp(ctx, tx, c, appID); err != nil {
			return err
		}
		if _, err := tx.GetRole(ctx, c.TenantID, appID, roleID); err != nil {
			return err
		}
		for _, id := range userIDs {
			if _, err := tx.GetUser(ctx, c.TenantID, id); err != nil {
				return storeErr(err, errUserNotFound, "get user")
			}
		}
		for _, id := range userIDs {
			a := model.RoleAssignment{TenantID: c.TenantID, AppID: appID, RoleID: roleID, UserID: id, AssignedAt: now}
			if err := tx.AssignRole(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	return roleErr(err, "assign role")
}

// Unassign takes a role away from a user.
func (s *Service) Unassign(ctx context.Context, c model.Caller, appID, roleID, userID string) error {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return err
	}
	if _, err := s.store.GetRole(ctx, c.TenantID, appID, roleID); err != nil {
		return roleErr(err, "get role")
	}
	err := s.store.UnassignRole(ctx, c.TenantID, appID, roleID, userID)
	return storeErr(err, errNotAssigned, "unassign role")
}

// UserRoles returns the roles a user of the caller's tenant holds in the application.
func (s *Service) UserRoles(ctx context.Context, c model.Caller, appID, userID string) ([]model.Role, error) {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetUser(ctx, c.TenantID, userID); err != nil {
		return nil, storeErr(err, errUserNotFound, "get user")
	}
	list, err := s.store.UserRoles(ctx, c.TenantID, appID, userID)
	if err != nil {
		return nil, fault.Wrap(err, "user roles")
	}
	return list, nil
}

// apply validates in and applies it to r, returning every problem found.
func apply(r *model.Role, in Input, create bool) []string {
	var p []string
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		if !textOK(name, MaxNameLen) || name == "" {
			p = append(p, fmt.Sprintf("role_name is required: 1 to %d characters, no control characters", MaxNameLen))
		}
		r.Name = name
	}
	if in.DisplayName != nil {
		if !textOK(*in.DisplayName, MaxDisplayNameLen) {
			p = append(p, fmt.Sprintf("display_name must be at most %d characters, no control characters", MaxDisplayNameLen))
		}
		r.DisplayName = *in.DisplayName
	}
	if in.Description != nil {
		if !textOK(*in.Description, MaxDescriptionLen) {
			p = append(p, fmt.Sprintf("description must be at most %d characters, no control characters", MaxDescriptionLen))
		}
		r.Description = *in.Description
	}
	if in.Permissions != nil {
		perms, problem := permissions(*in.Permissions)
		if problem != "" {
			p = append(p, problem)
		}
		r.Permissions = perms
	}
	return p
}

// permissions checks a role's permission list and returns it sorted and without duplicates.
func permissions(in []string) ([]string, string) {
	if len(in) > MaxPermissions {
		return nil, fmt.Sprintf("permissions must hold at most %d names", MaxPermissions)
	}
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v == "" || len(v) > MaxPermissionLen || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 || !utf8.ValidString(v) {
			return nil, fmt.Sprintf("permissions must be names of 1 to %d bytes without spaces or control characters", MaxPermissionLen)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), ""
}

func textOK(s string, max int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max &&
		strings.IndexFunc(s, unicode.IsControl) < 0
}

// roleErr maps storage errors of role methods; a taken name is a conflict.
func roleErr(err error, op string) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return errNameTaken.With(err)
	}
	return storeErr(err, errRoleNotFound, op)
}

// storeErr turns a storage error into a public one: faults pass through, a missing record
// becomes notFound, anything else is internal.
func storeErr(err error, notFound *fault.Error, op string) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, storage.ErrNotFound) {
		return notFound.With(err)
	}
	return fault.Wrap(err, op)
}

// Claims are what a login puts in its tokens about the user's roles in the application.
type Claims struct {
	RoleIDs     []string // Mosaic's roles claim
	RoleNames   []string // role_values
	Permissions []string // the union of the roles' permissions, sorted
}

// ClaimsOf derives the token claims from the roles a user holds.
func ClaimsOf(list []model.Role) Claims {
	c := Claims{RoleIDs: []string{}, RoleNames: []string{}, Permissions: []string{}}
	for _, r := range list {
		c.RoleIDs = append(c.RoleIDs, r.ID)
		c.RoleNames = append(c.RoleNames, r.Name)
		c.Permissions = append(c.Permissions, r.Permissions...)
	}
	slices.Sort(c.Permissions)
	c.Permissions = slices.Compact(c.Permissions)
	return c
}
