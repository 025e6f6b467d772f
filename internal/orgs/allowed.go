package orgs

import (
	"context"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// CodeRoleNotAllowed refuses roles outside the set an organization allows in an application.
const CodeRoleNotAllowed = "role_not_allowed_in_organization"

// checkAllowed refuses, naming them, the roles of ids outside the roles and role groups the
// organization allows in the application; none set means any role of the application.
func checkAllowed(ctx context.Context, st storage.Store, tenantID, orgID, appID string, ids []string) error {
	roleIDs, groupIDs, err := st.GetOrgAppRoles(ctx, tenantID, orgID, appID)
	if err != nil {
		return fault.Wrap(err, "get organization roles")
	}
	if len(roleIDs) == 0 && len(groupIDs) == 0 {
		return nil
	}
	var groups []model.RoleGroup
	if len(groupIDs) > 0 {
		if groups, err = st.ListRoleGroups(ctx, tenantID, appID); err != nil {
			return fault.Wrap(err, "list role groups")
		}
	}
	allowed := model.OrgAllowedRoles(roleIDs, groupIDs, groups)
	var refused []string
	for _, id := range ids {
		if !allowed[id] {
			refused = append(refused, id)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	e := fault.New(fault.Invalid, CodeRoleNotAllowed,
		"the organization does not allow these roles in this application: %s", strings.Join(refused, ", "))
	for _, id := range refused {
		e.Details = append(e.Details, fmt.Sprintf("role_ids: %q is not allowed by the organization", id))
	}
	return e
}
