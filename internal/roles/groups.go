package roles

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// MaxGroupRoles is how many roles one role group may hold.
const MaxGroupRoles = 200

var errGroupNameTaken = fault.New(fault.Conflict, fault.CodeConflict, "a role group with this name already exists in the application")

// GroupInput is a role group as a request gives it; name and role_ids are required.
type GroupInput struct {
	Name        *string
	DisplayName *string
	Description *string
	RoleIDs     *[]string
}

// GroupView is a role group with its roles as they are now, in the group's order. A role
// deleted since the group was made is left out.
type GroupView struct {
	model.RoleGroup
	Roles []model.Role
}

// CreateRoleGroup creates a role group in one of the caller's tenant's applications. Every
// role id must name a role of that application; the refused ones are named in one 400.
func (s *Service) CreateRoleGroup(ctx context.Context, c model.Caller, appID string, in GroupInput) (GroupView, error) {
	now := s.timestamp()
	g := model.RoleGroup{ID: model.NewID(), TenantID: c.TenantID, AppID: appID, CreatedAt: now, UpdatedAt: now}
	if p := applyGroup(&g, in); len(p) > 0 {
		return GroupView{}, fault.Validation(p...)
	}
	var out GroupView
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if err := s.checkApp(ctx, tx, c, appID); err != nil {
			return err
		}
		all, err := tx.ListRoles(ctx, c.TenantID, appID)
		if err != nil {
			return err
		}
		out = view(g, all)
		if len(out.Roles) != len(g.RoleIDs) {
			var p []string
			for _, id := range g.RoleIDs {
				if !hasRole(out.Roles, id) {
					p = append(p, fmt.Sprintf("role_ids: %q is not a role of this application", clip(id)))
				}
			}
			return fault.Validation(p...)
		}
		return tx.CreateRoleGroup(ctx, g)
	})
	if errors.Is(err, storage.ErrAlreadyExists) {
		return GroupView{}, errGroupNameTaken.With(err)
	}
	if err != nil {
		return GroupView{}, storeErr(err, errAppNotFound, "create role group")
	}
	return out, nil
}

// RoleGroups lists the application's role groups, oldest first, each with its roles.
func (s *Service) RoleGroups(ctx context.Context, c model.Caller, appID string) ([]GroupView, error) {
	if err := s.checkApp(ctx, s.store, c, appID); err != nil {
		return nil, err
	}
	groups, err := s.store.ListRoleGroups(ctx, c.TenantID, appID)
	if err != nil {
		return nil, fault.Wrap(err, "list role groups")
	}
	if len(groups) == 0 {
		return []GroupView{}, nil
	}
	all, err := s.store.ListRoles(ctx, c.TenantID, appID)
	if err != nil {
		return nil, fault.Wrap(err, "list roles")
	}
	out := make([]GroupView, 0, len(groups))
	for _, g := range groups {
		out = append(out, view(g, all))
	}
	return out, nil
}

// view joins a group to the application's roles, keeping the group's order and leaving out
// ids that name no role.
func view(g model.RoleGroup, all []model.Role) GroupView {
	byID := make(map[string]model.Role, len(all))
	for _, r := range all {
		byID[r.ID] = r
	}
	v := GroupView{RoleGroup: g, Roles: []model.Role{}}
	for _, id := range g.RoleIDs {
		if r, ok := byID[id]; ok {
			v.Roles = append(v.Roles, r)
		}
	}
	return v
}

func hasRole(list []model.Role, id string) bool {
	for _, r := range list {
		if r.ID == id {
			return true
		}
	}
	return false
}

// applyGroup validates in and applies it to g, returning every problem found.
func applyGroup(g *model.RoleGroup, in GroupInput) []string {
	var p []string
	name := ""
	if in.Name != nil {
		name = strings.TrimSpace(*in.Name)
	}
	if !textOK(name, MaxNameLen) || name == "" {
		p = append(p, fmt.Sprintf("name is required: 1 to %d characters, no control characters", MaxNameLen))
	}
	g.Name = name
	if in.DisplayName != nil {
		if !textOK(*in.DisplayName, MaxDisplayNameLen) {
			p = append(p, fmt.Sprintf("display_name must be at most %d characters, no control characters", MaxDisplayNameLen))
		}
		g.DisplayName = *in.DisplayName
	}
	if in.Description != nil {
		if !textOK(*in.Description, MaxDescriptionLen) {
			p = append(p, fmt.Sprintf("description must be at most %d characters, no control characters", MaxDescriptionLen))
		}
		g.Description = *in.Description
	}
	switch {
	case in.RoleIDs == nil:
		p = append(p, "role_ids is required: the ids of the application's roles the group holds")
	case len(*in.RoleIDs) > MaxGroupRoles:
		p = append(p, fmt.Sprintf("role_ids must hold at most %d ids", MaxGroupRoles))
	default:
		g.RoleIDs = []string{}
		seen := map[string]bool{}
		for _, id := range *in.RoleIDs {
			if !seen[id] {
				seen[id] = true
				g.RoleIDs = append(g.RoleIDs, id)
			}
		}
	}
	return p
}

// clip shortens a value quoted back in an error.
func clip(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
