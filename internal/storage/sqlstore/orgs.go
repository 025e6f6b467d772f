package sqlstore

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

const orgCols = "id, tenant_id, name, alias_name, domains, app_ids, enabled, created_at, updated_at"

func scanOrg(sc scanner) (model.Organization, error) {
	var o model.Organization
	var domains, apps string
	var created, updated int64
	if err := sc.Scan(&o.ID, &o.TenantID, &o.Name, &o.AliasName, &domains, &apps, &o.Enabled, &created, &updated); err != nil {
		return o, err
	}
	if err := fromJSONText(domains, &o.Domains); err != nil {
		return o, err
	}
	if err := fromJSONText(apps, &o.AppIDs); err != nil {
		return o, err
	}
	if o.Domains == nil {
		o.Domains = []string{}
	}
	if o.AppIDs == nil {
		o.AppIDs = []string{}
	}
	o.CreatedAt, o.UpdatedAt = fromMillis(created), fromMillis(updated)
	return o, nil
}

// CreateOrganization stores a new organization; names are unique within a tenant.
func (s *Store) CreateOrganization(ctx context.Context, o model.Organization) error {
	_, err := s.execUnique(ctx, "create organization",
		"INSERT INTO organizations ("+orgCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		o.ID, o.TenantID, o.Name, o.AliasName, permissionsJSON(o.Domains), permissionsJSON(o.AppIDs), o.Enabled,
		millis(o.CreatedAt), millis(o.UpdatedAt))
	return err
}

// GetOrganization returns one of the tenant's organizations.
func (s *Store) GetOrganization(ctx context.Context, tenantID, id string) (model.Organization, error) {
	return getOne(ctx, s.reader(), "get organization", scanOrg,
		"SELECT "+orgCols+" FROM organizations WHERE tenant_id = ? AND id = ?", tenantID, id)
}

// GetOrganizationByName returns the tenant's organization of that name.
func (s *Store) GetOrganizationByName(ctx context.Context, tenantID, name string) (model.Organization, error) {
	return getOne(ctx, s.reader(), "get organization by name", scanOrg,
		"SELECT "+orgCols+" FROM organizations WHERE tenant_id = ? AND name = ?", tenantID, name)
}

// ListOrganizations returns the tenant's organizations, oldest first.
func (s *Store) ListOrganizations(ctx context.Context, tenantID string) ([]model.Organization, error) {
	return getAll(ctx, s.reader(), "list organizations", scanOrg,
		"SELECT "+orgCols+" FROM organizations WHERE tenant_id = ? ORDER BY created_at, rowid", tenantID)
}

// UpdateOrganization applies updater to the organization atomically; its ids cannot change.
func (s *Store) UpdateOrganization(ctx context.Context, tenantID, id string, updater func(model.Organization) (model.Organization, error)) error {
	load := func(tx *Store) (model.Organization, error) {
		return getOne(ctx, tx.writer(), "update organization", scanOrg,
			"SELECT "+orgCols+" FROM organizations WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, o model.Organization) error {
		_, err := tx.execUnique(ctx, "update organization",
			"UPDATE organizations SET name = ?, alias_name = ?, domains = ?, app_ids = ?, enabled = ?, updated_at = ? "+
				"WHERE tenant_id = ? AND id = ?",
			o.Name, o.AliasName, permissionsJSON(o.Domains), permissionsJSON(o.AppIDs), o.Enabled, millis(o.UpdatedAt),
			old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// DeleteOrganization deletes an organization with its memberships and their roles.
func (s *Store) DeleteOrganization(ctx context.Context, tenantID, id string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM organizations WHERE tenant_id = ? AND id = ?", tenantID, id)
		if err := mustAffect("delete organization", n, err); err != nil {
			return err
		}
		for _, table := range []string{"org_members", "org_member_roles", "org_app_roles", "org_logos"} {
			if _, err := w.exec(ctx, "DELETE FROM "+table+" WHERE tenant_id = ? AND org_id = ?", tenantID, id); err != nil {
				return errf("delete organization: "+table, err)
			}
		}
		return nil
	})
}

const memberCols = "tenant_id, org_id, user_id, enabled, org_admin, created_at, updated_at"

func scanMember(sc scanner) (model.Member, error) {
	var m model.Member
	var created, updated int64
	if err := sc.Scan(&m.TenantID, &m.OrgID, &m.UserID, &m.Enabled, &m.OrgAdmin, &created, &updated); err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	return m, nil
}

// CreateMember stores a membership; a user already a member is a duplicate.
func (s *Store) CreateMember(ctx context.Context, m model.Member) error {
	_, err := s.execUnique(ctx, "create member",
		"INSERT INTO org_members ("+memberCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		m.TenantID, m.OrgID, m.UserID, m.Enabled, m.OrgAdmin, millis(m.CreatedAt), millis(m.UpdatedAt))
	return err
}

// GetMember returns one membership.
func (s *Store) GetMember(ctx context.Context, tenantID, orgID, userID string) (model.Member, error) {
	return getOne(ctx, s.reader(), "get member", scanMember,
		"SELECT "+memberCols+" FROM org_members WHERE tenant_id = ? AND org_id = ? AND user_id = ?", tenantID, orgID, userID)
}

// ListMembers returns an organization's memberships in the order they were made.
func (s *Store) ListMembers(ctx context.Context, tenantID, orgID string) ([]model.Member, error) {
	return getAll(ctx, s.reader(), "list members", scanMember,
		"SELECT "+memberCols+" FROM org_members WHERE tenant_id = ? AND org_id = ? ORDER BY created_at, rowid", tenantID, orgID)
}

// ListUserMemberships returns a user's memberships in the order they were made.
func (s *Store) ListUserMemberships(ctx context.Context, tenantID, userID string) ([]model.Member, error) {
	return getAll(ctx, s.reader(), "list user memberships", scanMember,
		"SELECT "+memberCols+" FROM org_members WHERE tenant_id = ? AND user_id = ? ORDER BY created_at, rowid", tenantID, userID)
}

// UpdateMember applies updater to the membership atomically; its ids cannot change.
func (s *Store) UpdateMember(ctx context.Context, tenantID, orgID, userID string, updater func(model.Member) (model.Member, error)) error {
	load := func(tx *Store) (model.Member, error) {
		return getOne(ctx, tx.writer(), "update member", scanMember,
			"SELECT "+memberCols+" FROM org_members WHERE tenant_id = ? AND org_id = ? AND user_id = ?"+tx.d.forUpdate,
			tenantID, orgID, userID)
	}
	store := func(tx *Store, old, m model.Member) error {
		_, err := tx.writer().exec(ctx,
			"UPDATE org_members SET enabled = ?, org_admin = ?, updated_at = ? WHERE tenant_id = ? AND org_id = ? AND user_id = ?",
			m.Enabled, m.OrgAdmin, millis(m.UpdatedAt), old.TenantID, old.OrgID, old.UserID)
		return errf("update member", err)
	}
	return update(ctx, s, load, updater, store)
}

// DeleteMember ends a membership with its roles.
func (s *Store) DeleteMember(ctx context.Context, tenantID, orgID, userID string) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		n, err := w.execAffected(ctx, "DELETE FROM org_members WHERE tenant_id = ? AND org_id = ? AND user_id = ?", tenantID, orgID, userID)
		if err := mustAffect("delete member", n, err); err != nil {
			return err
		}
		_, err = w.exec(ctx, "DELETE FROM org_member_roles WHERE tenant_id = ? AND org_id = ? AND user_id = ?", tenantID, orgID, userID)
		return errf("delete member: roles", err)
	})
}

// SetMemberRoles replaces the member's roles in one application. The roles are inserted from
// the roles table, so that one deleted meanwhile, or of another application, is not given.
func (s *Store) SetMemberRoles(ctx context.Context, tenantID, orgID, appID, userID string, roleIDs []string, at time.Time) error {
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		if _, err := w.exec(ctx, "DELETE FROM org_member_roles WHERE tenant_id = ? AND org_id = ? AND user_id = ? AND app_id = ?",
			tenantID, orgID, userID, appID); err != nil {
			return errf("set member roles", err)
		}
		for _, id := range roleIDs {
			_, err := w.exec(ctx,
				"INSERT INTO org_member_roles (tenant_id, org_id, user_id, app_id, role_id, created_at) "+
					"SELECT tenant_id, ?, ?, app_id, id, ? FROM roles WHERE tenant_id = ? AND app_id = ? AND id = ? "+
					"ON CONFLICT (tenant_id, org_id, user_id, app_id, role_id) DO NOTHING",
				orgID, userID, millis(at), tenantID, appID, id)
			if err != nil {
				return errf("set member roles", err)
			}
		}
		return nil
	})
}

// MemberRoles returns the roles a member holds in one application within the organization,
// by name, in one read.
func (s *Store) MemberRoles(ctx context.Context, tenantID, orgID, appID, userID string) ([]model.Role, error) {
	return getAll(ctx, s.reader(), "member roles", scanRole,
		"SELECT r.id, r.tenant_id, r.app_id, r.name, r.display_name, r.description, r.permissions, r.created_at, r.updated_at "+
			"FROM org_member_roles m JOIN roles r ON r.tenant_id = m.tenant_id AND r.id = m.role_id "+
			"WHERE m.tenant_id = ? AND m.org_id = ? AND m.app_id = ? AND m.user_id = ? ORDER BY r.name",
		tenantID, orgID, appID, userID)
}

// HeldRoleIDs returns the roles an organization's members hold in an application, each once.
// It reads what MemberRoles reads for each member: the roles that exist, of members that do.
func (s *Store) HeldRoleIDs(ctx context.Context, tenantID, orgID, appID string) ([]string, error) {
	return getAll(ctx, s.reader(), "held role ids", func(sc scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}, "SELECT DISTINCT m.role_id FROM org_member_roles m "+
		"JOIN org_members o ON o.tenant_id = m.tenant_id AND o.org_id = m.org_id AND o.user_id = m.user_id "+
		"JOIN roles r ON r.tenant_id = m.tenant_id AND r.id = m.role_id "+
		"WHERE m.tenant_id = ? AND m.org_id = ? AND m.app_id = ? ORDER BY m.role_id",
		tenantID, orgID, appID)
}

// UserMemberRoles returns every role a user holds as a member of any organization.
func (s *Store) UserMemberRoles(ctx context.Context, tenantID, userID string) ([]model.MemberRole, error) {
	return getAll(ctx, s.reader(), "user member roles", func(sc scanner) (model.MemberRole, error) {
		var r model.MemberRole
		err := sc.Scan(&r.OrgID, &r.AppID, &r.RoleID)
		return r, err
	}, "SELECT org_id, app_id, role_id FROM org_member_roles WHERE tenant_id = ? AND user_id = ? ORDER BY org_id, app_id, role_id",
		tenantID, userID)
}

// GetOrgLogin reads an organization with the user's membership of it in one statement, for
// a login to the organization. ErrNotFound when either is missing.
func (s *Store) GetOrgLogin(ctx context.Context, tenantID, orgID, userID string) (model.OrgLogin, error) {
	return getOne(ctx, s.reader(), "get organization login", func(sc scanner) (model.OrgLogin, error) {
		var l model.OrgLogin
		var domains, apps string
		var created, updated, mCreated, mUpdated int64
		o, m := &l.Org, &l.Member
		if err := sc.Scan(&o.ID, &o.TenantID, &o.Name, &o.AliasName, &domains, &apps, &o.Enabled, &created, &updated,
			&m.TenantID, &m.OrgID, &m.UserID, &m.Enabled, &m.OrgAdmin, &mCreated, &mUpdated); err != nil {
			return l, err
		}
		if err := fromJSONText(domains, &o.Domains); err != nil {
			return l, err
		}
		if err := fromJSONText(apps, &o.AppIDs); err != nil {
			return l, err
		}
		o.CreatedAt, o.UpdatedAt = fromMillis(created), fromMillis(updated)
		m.CreatedAt, m.UpdatedAt = fromMillis(mCreated), fromMillis(mUpdated)
		return l, nil
	}, "SELECT o.id, o.tenant_id, o.name, o.alias_name, o.domains, o.app_ids, o.enabled, o.created_at, o.updated_at, "+
		"m.tenant_id, m.org_id, m.user_id, m.enabled, m.org_admin, m.created_at, m.updated_at "+
		"FROM organizations o JOIN org_members m ON m.tenant_id = o.tenant_id AND m.org_id = o.id "+
		"WHERE o.tenant_id = ? AND o.id = ? AND m.user_id = ?", tenantID, orgID, userID)
}
