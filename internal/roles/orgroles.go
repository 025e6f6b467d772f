package roles

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var errOrgNotFound = fault.New(fault.NotFound, "organization_not_found", "organization not found")

// OrgRoles is what an organization may give its members in one application (Mosaic's
// organization roles and role groups): roles added directly, and role groups whose roles come
// with them. A role or group deleted since is left out.
type OrgRoles struct {
	Roles  []model.Role
	Groups []GroupView
}

// OrgRoles returns the roles and role groups set for an organization of the caller's tenant in
// one of its applications.
func (s *Service) OrgRoles(ctx context.Context, c model.Caller, appID, orgID string) (OrgRoles, error) {
	if err := s.checkOrgApp(ctx, s.store, c, appID, orgID); err != nil {
		return OrgRoles{}, err
	}
	roleIDs, groupIDs, err := s.store.GetOrgAppRoles(ctx, c.TenantID, orgID, appID)
	if err != nil {
		return OrgRoles{}, fault.Wrap(err, "get organization roles")
	}
	all, groups, err := s.catalog(ctx, s.store, c.TenantID, appID)
	if err != nil {
		return OrgRoles{}, err
	}
	out := OrgRoles{Roles: view(model.RoleGroup{RoleIDs: roleIDs}, all).Roles, Groups: []GroupView{}}
	for _, id := range groupIDs {
		if i := slices.IndexFunc(groups, func(g model.RoleGroup) bool { return g.ID == id }); i >= 0 {
			out.Groups = append(out.Groups, view(groups[i], all))
		}
	}
	return out, nil
}

// SetOrgRoles replaces what the organization may give its members in the application: its
// roles when roleIDs is not nil, its role groups when groupIDs is not nil. Every id must name a
// role, or a role group, of that application (one 400 names those that do not).
func (s *Service) SetOrgRoles(ctx context.Context, c model.Caller, appID, orgID string, roleIDs, groupIDs *[]string) error {
	var p []string
	for _, l := range []struct {
		field string
		ids   *[]string
	}{{"role_ids", roleIDs}, {"role_group_ids", groupIDs}} {
		if l.ids != nil && len(*l.ids) > MaxGroupRoles {
			p = append(p, fmt.Sprintf("%s must hold at most %d ids", l.field, MaxGroupRoles))
		}
	}
	if len(p) > 0 {
		return fault.Validation(p...)
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if err := s.checkOrgApp(ctx, tx, c, appID, orgID); err != nil {
			return err
		}
		curRoles, curGroups, err := tx.GetOrgAppRoles(ctx, c.TenantID, orgID, appID)
		if err != nil {
			return err
		}
		all, groups, err := s.catalog(ctx, tx, c.TenantID, appID)
		if err != nil {
			return err
		}
		if roleIDs != nil {
			curRoles = dedupe(*roleIDs)
			for _, id := range curRoles {
				if !hasRole(all, id) {
					p = append(p, fmt.Sprintf("role_ids: %q is not a role of this application", clip(id)))
				}
			}
		}
		if groupIDs != nil {
			curGroups = dedupe(*groupIDs)
			for _, id := range curGroups {
				if !slices.ContainsFunc(groups, func(g model.RoleGroup) bool { return g.ID == id }) {
					p = append(p, fmt.Sprintf("role_group_ids: %q is not a role group of this application", clip(id)))
				}
			}
		}
		if len(p) > 0 {
			return fault.Validation(p...)
		}
		if err := checkMembersKept(ctx, tx, c.TenantID, orgID, appID, model.OrgAllowedRoles(curRoles, curGroups, groups)); err != nil {
			return err
		}
		return tx.SetOrgAppRoles(ctx, c.TenantID, orgID, appID, curRoles, curGroups, s.timestamp())
	})
	return storeErr(err, errOrgNotFound, "set organization roles")
}

// checkOrgApp makes sure appID is an application, and orgID an organization, of the caller's
// tenant.
func (s *Service) checkOrgApp(ctx context.Context, st storage.Store, c model.Caller, appID, orgID string) error {
	if err := s.checkApp(ctx, st, c, appID); err != nil {
		return err
	}
	if _, err := st.GetOrganization(ctx, c.TenantID, orgID); err != nil {
		return storeErr(err, errOrgNotFound, "get organization")
	}
	return nil
}

// catalog reads the application's roles and role groups.
func (s *Service) catalog(ctx context.Context, st storage.Store, tenantID, appID string) ([]model.Role, []model.RoleGroup, error) {
	all, err := st.ListRoles(ctx, tenantID, appID)
	if err != nil {
		return nil, nil, fault.Wrap(err, "list roles")
	}
	groups, err := st.ListRoleGroups(ctx, tenantID, appID)
	if err != nil {
		return nil, nil, fault.Wrap(err, "list role groups")
	}
	return all, groups, nil
}

func dedupe(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkMembersKept refuses a new allowed set (nil: no restriction) while a member of the
// organization holds a role in the application outside it, naming those roles. Narrowing the
// set thus never leaves a member with a role the organization no longer allows, and tokens
// always carry exactly the stored roles: the roles are taken from the members first.
func checkMembersKept(ctx context.Context, st storage.Store, tenantID, orgID, appID string, allowed map[string]bool) error {
	if allowed == nil {
		return nil
	}
	ids, err := st.HeldRoleIDs(ctx, tenantID, orgID, appID)
	if err != nil {
		return fault.Wrap(err, "held roles")
	}
	var held []string
	for _, id := range ids {
		if !allowed[id] {
			held = append(held, id)
		}
	}
	if len(held) == 0 {
		return nil
	}
	return fault.New(fault.Invalid, "roles_held_by_members",
		"members of the organization hold roles the new set leaves out; take them away first: %s", strings.Join(held, ", "))
}
