package auth

import (
	"context"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
)

// roleClaimNames are the claims computed from the user's roles in the application.
var roleClaimNames = []string{"roles", "role_values", "permissions"}

// roleClaims reads the user's roles in the login's application, with one query, when a token
// will carry them: when the request or the client's defaults ask for one of the role claims,
// or when the application has roles (the access token then carries their ids). In a login to
// an organization they are the member's roles there. Applications
// without roles, the common case, pay no read (see roles.AppHasRoles). Nil means no token
// carries role claims.
func (s *Service) roleClaims(ctx context.Context, is Issued, req ClaimsRequest) (*roles.Claims, error) {
	wanted := false
	for _, n := range roleClaimNames {
		_, inID := req.IDToken[n]
		_, inAccess := req.AccessToken[n]
		if inID || inAccess || containsString(is.Client.DefaultCustomClaims, n) {
			wanted = true
			break
		}
	}
	tenantID, userID := is.Session.TenantID, is.Session.UserID
	if !wanted {
		has, err := roles.AppHasRoles(ctx, s.store, tenantID, is.App.ID, s.opts.Now())
		if err != nil {
			return nil, fault.Wrap(err, "read whether the application has roles")
		}
		if !has {
			return nil, nil
		}
	}
	var list []model.Role
	var err error
	if is.Org != nil {
		// A member's roles within the organization are what a login to it grants, in place
		// of the user's own roles in the application (Mosaic's member roles).
		list, err = s.store.MemberRoles(ctx, tenantID, is.Org.Org.ID, is.App.ID, userID)
	} else {
		list, err = s.store.UserRoles(ctx, tenantID, is.App.ID, userID)
	}
	if err != nil {
		return nil, fault.Wrap(err, "read the user's roles")
	}
	c := roles.ClaimsOf(list)
	return &c, nil
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
