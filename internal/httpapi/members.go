package httpapi

import (
	"context"
	"net/http"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/orgs"
)

// memberRoutes serves Mosaic's Members API. The routes on one organization's members take an
// application's client token or an organization administrator's token (handleOrgMembers);
// setting a member's roles takes the management token.
func (s *Server) memberRoutes() {
	s.handleOrgMembers(http.MethodPost, "/cis/v1/organizations/{organization_id}/members", s.createMember)
	s.handleOrgMembers(http.MethodGet, "/cis/v1/organizations/{organization_id}/members/{user_id}", s.getMember)
	s.handleOrgMembers(http.MethodPut, "/cis/v1/organizations/{organization_id}/members/{user_id}", s.updateMember)
	s.handleOrgMembers(http.MethodDelete, "/cis/v1/organizations/{organization_id}/members/{user_id}", s.removeMember)
	s.handleOrgMembers(http.MethodGet, "/cis/v1/organizations/{organization_id}/members", s.listMembers)
	s.register(Route{Method: http.MethodPost, Pattern: "/cis/v1/applications/{app_id}/organizations/{organization_id}/members/{member_id}/roles",
		Access: AdminToken, Family: FamilyUsers, handle: s.setMemberRoles})
	s.register(Route{Method: http.MethodGet, Pattern: "/cis/v1/members/{member_id}/organizations",
		Access: ClientToken, Family: FamilyUsers, handle: s.memberOrgs})
}

// orgMembersCollection is the pattern GET .../{organization_id}/members is served under:
// "/cis/v1/organizations/name/{organization_name}" and ".../{organization_id}/members" both
// match "/cis/v1/organizations/name/members" and neither is more specific, so ServeMux would
// refuse the pair, while the name lookup does outrank this pattern.
const orgMembersCollection = "/cis/v1/organizations/{organization_id}/{collection}"

// handleOrgMembers registers a route on one organization's members. It is listed as taking a
// client token, which it does, but it also takes an end user's access token from a login to
// the organization in the path whose member is an enabled administrator of it (Mosaic's
// OrgAdminAccessToken, see orgs.CheckAdmin): so it is served as a public route that
// authenticates its caller itself (orgMemberCaller).
func (s *Server) handleOrgMembers(method, pattern string, h handlerFunc) {
	listed := Route{Method: method, Pattern: pattern, Access: ClientToken, Family: FamilyUsers, handle: h}
	s.routes = append(s.routes, listed)
	need := permissionOf(listed)
	served := listed
	served.Access = Public
	served.handle = func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.orgMemberCaller(r.Context(), bearerToken(r), r.PathValue("organization_id"), need)
		if err != nil {
			if fault.Is(err, fault.Unauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey", error="invalid_token"`)
			}
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
	if method == http.MethodGet && pattern == "/cis/v1/organizations/{organization_id}/members" {
		inner := served.handle
		served.handle = func(w http.ResponseWriter, r *http.Request) error {
			if r.PathValue("collection") != "members" {
				return s.unrouted(w, r)
			}
			return inner(w, r)
		}
		pattern = orgMembersCollection
	}
	s.mux.Handle(method+" "+pattern, s.wrap(served))
}

// orgMemberCaller authenticates a caller of an organization's members routes: a client token
// as every client route takes it (the organization must then be one its application may use,
// unless it is the management application's), or else an organization administrator's token
// for orgID. A token that is neither is refused as a client token would be. A client token's
// roles must grant need, the route's row in the permission table, as wrap checks for every
// other route; an organization administrator manages members by that role alone.
func (s *Server) orgMemberCaller(ctx context.Context, bearer, orgID, need string) (model.Caller, error) {
	c, err := s.cfg.Auth.Caller(ctx, bearer)
	if err == nil && !clientroles.Allowed(c, need) {
		return model.Caller{}, clientroles.Refuse(need)
	}
	if err == nil || !fault.Is(err, fault.Unauthenticated) {
		return c, err
	}
	u, uerr := s.cfg.Auth.AuthenticateUser(ctx, bearer)
	if uerr != nil {
		return model.Caller{}, err
	}
	if err := orgs.CheckAdmin(ctx, s.cfg.Auth.Store(), u.TenantID, u.OrgID, orgID, u.AppID, u.UserID); err != nil {
		return model.Caller{}, err
	}
	return u.Caller, nil
}

// memberJSON is a membership. Mosaic's reference does not give the fields of its member
// object; these are the membership's own, with org_admin naming Mosaic's organizationAdmin
// role.
type memberJSON struct {
	UserID         string `json:"user_id"`
	OrganizationID string `json:"organization_id"`
	Enabled        bool   `json:"enabled"`
	OrgAdmin       bool   `json:"org_admin"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

func toMemberJSON(m model.Member) memberJSON {
	return memberJSON{UserID: m.UserID, OrganizationID: m.OrgID, Enabled: m.Enabled, OrgAdmin: m.OrgAdmin,
		CreatedAt: m.CreatedAt.UnixMilli(), UpdatedAt: m.UpdatedAt.UnixMilli()}
}

// createMemberRequest is the body of POST .../members: a new user's fields, as the Users
// API's create takes them (a user who already holds them is linked instead, as there), or
// user_id naming an existing user; with the membership's own fields.
type createMemberRequest struct {
	createUserRequest
	UserID   string `json:"user_id"`
	Enabled  *bool  `json:"enabled"`
	OrgAdmin *bool  `json:"org_admin"`
}

func (s *Server) createMember(w http.ResponseWriter, r *http.Request) error {
	var req createMemberRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx, c, orgID := r.Context(), callerOf(r), r.PathValue("organization_id")
	// The organization is checked before a user is made for it.
	if _, err := s.cfg.Orgs.Visible(ctx, c, orgID); err != nil {
		return err
	}
	userID := req.UserID
	if userID == "" {
		u, err := s.cfg.Directory.Create(ctx, c, req.input())
		if err != nil {
			return err
		}
		userID = u.ID
	}
	m, err := s.cfg.Orgs.AddMember(ctx, c, orgID, userID, orgs.MemberInput{Enabled: req.Enabled, OrgAdmin: req.OrgAdmin})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[memberJSON]{Result: toMemberJSON(m)})
	return nil
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) error {
	m, err := s.cfg.Orgs.Member(r.Context(), callerOf(r), r.PathValue("organization_id"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[memberJSON]{Result: toMemberJSON(m)})
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Orgs.Members(r.Context(), callerOf(r), r.PathValue("organization_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]memberJSON]{Result: mapAll(list, toMemberJSON)})
	return nil
}

// updateMemberRequest is the body of PUT .../members/{user_id}.
type updateMemberRequest struct {
	Enabled  *bool `json:"enabled"`
	OrgAdmin *bool `json:"org_admin"`
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) error {
	var req updateMemberRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.cfg.Orgs.UpdateMember(r.Context(), callerOf(r), r.PathValue("organization_id"), r.PathValue("user_id"),
		orgs.MemberInput{Enabled: req.Enabled, OrgAdmin: req.OrgAdmin})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[memberJSON]{Result: toMemberJSON(m)})
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Orgs.RemoveMember(r.Context(), callerOf(r), r.PathValue("organization_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// memberRolesRequest is the body of POST .../members/{member_id}/roles.
type memberRolesRequest struct {
	RoleIDs []string `json:"role_ids"`
}

func (s *Server) setMemberRoles(w http.ResponseWriter, r *http.Request) error {
	var req memberRolesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.cfg.Orgs.SetMemberRoles(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("organization_id"),
		r.PathValue("member_id"), req.RoleIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// memberOrgsJSON maps each organization a user is a member of to the member's roles there:
// for each application, the ids of the roles.
type memberOrgsJSON map[string]map[string][]string

func (s *Server) memberOrgs(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Orgs.UserMemberships(r.Context(), callerOf(r), r.PathValue("member_id"), r.URL.Query().Get("organization_id"))
	if err != nil {
		return err
	}
	out := memberOrgsJSON{}
	for _, m := range list {
		out[m.Member.OrgID] = m.Roles
	}
	writeJSON(w, http.StatusOK, adminResult[memberOrgsJSON]{Result: out})
	return nil
}
