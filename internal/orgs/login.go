package orgs

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// A login to an organization is refused with one answer whether the organization does not
// exist, the user is not its member, or either is disabled, so that a backend cannot learn
// from it which organizations a user belongs to. An organization that cannot use the
// application is said so, as the application is the caller's own.
var (
	ErrNotMember   = fault.New(fault.Forbidden, "not_organization_member", "user is not an enabled member of this organization")
	ErrAppNotInOrg = fault.New(fault.Forbidden, "application_not_in_organization", "this organization cannot use this application")
)

// CheckLogin decides whether a user may log in to an application as a member of an
// organization, in one read: the organization must exist and be enabled, the user be an
// enabled member of it, and the application be one it may use.
func CheckLogin(ctx context.Context, store storage.Organizations, tenantID, orgID, appID, userID string) (model.OrgLogin, error) {
	if !model.ValidID(orgID) {
		return model.OrgLogin{}, ErrNotMember
	}
	l, err := store.GetOrgLogin(ctx, tenantID, orgID, userID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return l, ErrNotMember
	case err != nil:
		return l, fault.Wrap(err, "read organization membership")
	case !l.Org.Enabled || !l.Member.Enabled:
		return l, ErrNotMember
	case !l.Org.HasApp(appID):
		return l, ErrAppNotInOrg
	}
	return l, nil
}

// ErrNotOrgAdmin refuses an end user's token on an organization's members routes when the
// login was not to that organization or its member is not (or no longer) an administrator.
var ErrNotOrgAdmin = fault.New(fault.Forbidden, fault.CodeForbidden, "this token does not administer this organization")

// CheckAdmin decides whether an end user's access token, from a login to sessionOrgID, acts as
// the administrator of orgID (Mosaic's OrgAdminAccessToken): the login must have been to that
// very organization, and the user must still be an enabled administrator member of it, of an
// enabled organization that may use the token's application. It is checked on every call, so
// that disabling the member, taking their administrator flag or the application away ends the
// token's rights at once.
func CheckAdmin(ctx context.Context, store storage.Organizations, tenantID, sessionOrgID, orgID, appID, userID string) error {
	if sessionOrgID == "" || sessionOrgID != orgID {
		return ErrNotOrgAdmin
	}
	l, err := CheckLogin(ctx, store, tenantID, orgID, appID, userID)
	if err != nil {
		if fault.Is(err, fault.Forbidden) {
			return ErrNotOrgAdmin
		}
		return err
	}
	if !l.Member.OrgAdmin {
		return ErrNotOrgAdmin
	}
	return nil
}
