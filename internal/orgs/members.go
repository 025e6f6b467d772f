package orgs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// MaxRolesPerSet bounds one request's list of role ids.
const MaxRolesPerSet = 100

var (
	errMemberNotFound = fault.New(fault.NotFound, "member_not_found", "user is not a member of this organization")
	errAlreadyMember  = fault.New(fault.Conflict, "member_already_exists", "user is already a member of this organization")
	errRoleNotFound   = fault.New(fault.NotFound, "role_not_found", "role not found in this application")
	errAppNotInOrg    = fault.New(fault.Invalid, "application_not_in_organization", "the organization cannot use this application")
)

// MemberInput is a membership's fields on creation or update; nil is absent (true and false
// are the defaults on creation).
type MemberInput struct {
	Enabled  *bool
	OrgAdmin *bool
}

// AddMember makes an existing user of the caller's tenant a member of the organization.
func (s *Service) AddMember(ctx context.Context, c model.Caller, orgID, userID string, in MemberInput) (model.Member, error) {
	now := s.timestamp()
	m := model.Member{TenantID: c.TenantID, OrgID: orgID, UserID: userID, Enabled: true, CreatedAt: now, UpdatedAt: now}
	applyMember(&m, in)
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := visible(ctx, tx, c, orgID); err != nil {
			return err
		}
		if err := requireUser(ctx, tx, c.TenantID, userID); err != nil {
			return err
		}
		if err := tx.CreateMember(ctx, m); errors.Is(err, storage.ErrAlreadyExists) {
			return errAlreadyMember
		} else if err != nil {
			return fault.Wrap(err, "create member")
		}
		return nil
	})
	if err != nil {
		return model.Member{}, orgErr(err, "add member")
	}
	return m, nil
}

// Member returns one membership of an organization of the caller's tenant.
func (s *Service) Member(ctx context.Context, c model.Caller, orgID, userID string) (model.Member, error) {
	if _, err := visible(ctx, s.store, c, orgID); err != nil {
		return model.Member{}, err
	}
	m, err := s.store.GetMember(ctx, c.TenantID, orgID, userID)
	return m, memberErr(err, "get member")
}

// Members returns an organization's memberships, oldest first.
func (s *Service) Members(ctx context.Context, c model.Caller, orgID string) ([]model.Member, error) {
	if _, err := visible(ctx, s.store, c, orgID); err != nil {
		return nil, err
	}
	list, err := s.store.ListMembers(ctx, c.TenantID, orgID)
	if err != nil {
		return nil, fault.Wrap(err, "list members")
	}
	return list, nil
}

// UpdateMember enables or disables a membership, or makes the member an administrator of the
// organization or no longer one.
func (s *Service) UpdateMember(ctx context.Context, c model.Caller, orgID, userID string, in MemberInput) (model.Member, error) {
	if _, err := visible(ctx, s.store, c, orgID); err != nil {
		return model.Member{}, err
	}
	var out model.Member
	err := s.store.UpdateMember(ctx, c.TenantID, orgID, userID, func(m model.Member) (model.Member, error) {
		applyMember(&m, in)
		m.UpdatedAt = s.timestamp()
		out = m
		return m, nil
	})
	return out, memberErr(err, "update member")
}

// RemoveMember ends a membership with its roles; the user stays.
func (s *Service) RemoveMember(ctx context.Context, c model.Caller, orgID, userID string) error {
	if _, err := visible(ctx, s.store, c, orgID); err != nil {
		return err
	}
	return memberErr(s.store.DeleteMember(ctx, c.TenantID, orgID, userID), "remove member")
}

// SetMemberRoles replaces a member's roles in one application: the application must be one the
// organization may use, and every role one of the application's and, when the organization
// set roles or role groups for the application, one of theirs. An empty list takes every role
// away.
func (s *Service) SetMemberRoles(ctx context.Context, c model.Caller, appID, orgID, userID string, roleIDs []string) error {
	if roleIDs == nil {
		return fault.Validation("role_ids is required")
	}
	if len(roleIDs) > MaxRolesPerSet {
		return fault.Validation(fmt.Sprintf("role_ids must name at most %d roles", MaxRolesPerSet))
	}
	ids := slices.Compact(slices.Sorted(slices.Values(roleIDs)))
	for _, id := range ids {
		if !model.ValidID(id) {
			return errRoleNotFound
		}
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetApplication(ctx, c.TenantID, appID); errors.Is(err, storage.ErrNotFound) {
			return errAppNotFound
		} else if err != nil {
			return fault.Wrap(err, "get application")
		}
		o, err := tx.GetOrganization(ctx, c.TenantID, orgID)
		if err != nil {
			return orgErr(err, "get organization")
		}
		if !o.HasApp(appID) {
			return errAppNotInOrg
		}
		if _, err := tx.GetMember(ctx, c.TenantID, orgID, userID); err != nil {
			return memberErr(err, "get member")
		}
		for _, id := range ids {
			if _, err := tx.GetRole(ctx, c.TenantID, appID, id); errors.Is(err, storage.ErrNotFound) {
				return errRoleNotFound
			} else if err != nil {
				return fault.Wrap(err, "get role")
			}
		}
		if err := checkAllowed(ctx, tx, c.TenantID, orgID, appID, ids); err != nil {
			return err
		}
		return tx.SetMemberRoles(ctx, c.TenantID, orgID, appID, userID, ids, s.timestamp())
	})
	return memberErr(err, "set member roles")
}

// Membership is one of a user's memberships with the roles it gives, by application.
type Membership struct {
	Member model.Member
	// Roles maps an application id to the ids of the member's roles in it.
	Roles map[string][]string
}

// UserMemberships returns a user's memberships with their roles, oldest first; a non-empty
// orgID keeps only that organization's. An application's client sees only memberships of
// organizations that may use its application.
func (s *Service) UserMemberships(ctx context.Context, c model.Caller, userID, orgID string) ([]Membership, error) {
	if err := requireUser(ctx, s.store, c.TenantID, userID); err != nil {
		return nil, err
	}
	members, err := s.store.ListUserMemberships(ctx, c.TenantID, userID)
	if err != nil {
		return nil, fault.Wrap(err, "list memberships")
	}
	roles, err := s.store.UserMemberRoles(ctx, c.TenantID, userID)
	if err != nil {
		return nil, fault.Wrap(err, "list member roles")
	}
	reachable := map[string]bool{}
	if !c.Admin {
		all, err := s.store.ListOrganizations(ctx, c.TenantID)
		if err != nil {
			return nil, fault.Wrap(err, "list organizations")
		}
		for _, o := range all {
			reachable[o.ID] = o.HasApp(c.AppID)
		}
	}
	out := []Membership{}
	for _, m := range members {
		if orgID != "" && m.OrgID != orgID || !c.Admin && !reachable[m.OrgID] {
			continue
		}
		ms := Membership{Member: m, Roles: map[string][]string{}}
		for _, r := range roles {
			if r.OrgID == m.OrgID {
				ms.Roles[r.AppID] = append(ms.Roles[r.AppID], r.RoleID)
			}
		}
		out = append(out, ms)
	}
	return out, nil
}

// Visible returns an organization the caller may manage the members of: any of the tenant's
// for the management application's token, else only one that may use the caller's
// application; another is not found, as another tenant's is.
func (s *Service) Visible(ctx context.Context, c model.Caller, orgID string) (model.Organization, error) {
	return visible(ctx, s.store, c, orgID)
}

func visible(ctx context.Context, store storage.Organizations, c model.Caller, orgID string) (model.Organization, error) {
	o, err := store.GetOrganization(ctx, c.TenantID, orgID)
	if err != nil {
		return o, orgErr(err, "get organization")
	}
	if !c.Admin && !o.HasApp(c.AppID) {
		return model.Organization{}, errOrgNotFound
	}
	return o, nil
}

func applyMember(m *model.Member, in MemberInput) {
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
	if in.OrgAdmin != nil {
		m.OrgAdmin = *in.OrgAdmin
	}
}

func requireUser(ctx context.Context, store storage.Users, tenantID, userID string) error {
	if !model.ValidID(userID) {
		return errUserNotFound
	}
	if _, err := store.GetUser(ctx, tenantID, userID); errors.Is(err, storage.ErrNotFound) {
		return errUserNotFound
	} else if err != nil {
		return fault.Wrap(err, "get user")
	}
	return nil
}

// memberErr is orgErr with a missing record read as a missing membership.
func memberErr(err error, op string) error {
	if err != nil && errors.Is(err, storage.ErrNotFound) {
		var fe *fault.Error
		if !errors.As(err, &fe) {
			return errMemberNotFound.With(err)
		}
	}
	return orgErr(err, op)
}
