package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"

	"github.com/latchkey/latchkey/internal/roles"
)

// orgRoleRoutes serves Mosaic's organization roles and role groups: what an organization may
// give its members in one application. Organizations' routes, they answer the Users API's
// error shape and take the management token.
func (s *Server) orgRoleRoutes() {
	const base = "/cis/v1/applications/{app_id}/organizations/{organization_id}"
	org := func(method, pattern string, h handlerFunc) {
		s.register(Route{Method: method, Pattern: base + pattern, Access: AdminToken, Family: FamilyUsers, handle: h})
	}
	org(http.MethodPost, "/role-groups/set", s.setOrgRoleGroups)
	org(http.MethodGet, "/role-groups", s.getOrgRoleGroups)
	org(http.MethodPost, "/roles-and-groups/set", s.setOrgRolesAndGroups)
	org(http.MethodGet, "/roles-and-groups", s.getOrgRolesAndGroups)
}

// orgRolesRequest is the body of POST .../role-groups/set (role_group_ids, required) and
// .../roles-and-groups/set (both). A list absent from roles-and-groups/set is set empty.
type orgRolesRequest struct {
	RoleIDs      *[]string `json:"role_ids"`
	RoleGroupIDs *[]string `json:"role_group_ids"`
}

// orgRoleGroupsJSON is Mosaic's answer of GET .../role-groups.
type orgRoleGroupsJSON struct {
	RoleGroups []roleGroupJSON `json:"role_groups"`
}

// orgRolesJSON is the answer of GET .../roles-and-groups.
type orgRolesJSON struct {
	Roles      []roleJSON      `json:"roles"`
	RoleGroups []roleGroupJSON `json:"role_groups"`
}

func (s *Server) orgRolesOf(r *http.Request) (roles.OrgRoles, error) {
	return s.roles.OrgRoles(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("organization_id"))
}

func (s *Server) writeOrgRoleGroups(w http.ResponseWriter, r *http.Request, status int) error {
	v, err := s.orgRolesOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, status, adminResult[orgRoleGroupsJSON]{Result: orgRoleGroupsJSON{RoleGroups: mapAll(v.Groups, toRoleGroupJSON)}})
	return nil
}

func (s *Server) writeOrgRoles(w http.ResponseWriter, r *http.Request, status int) error {
	v, err := s.orgRolesOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, status, adminResult[orgRolesJSON]{Result: orgRolesJSON{
		Roles: mapAll(v.Roles, toRoleJSON), RoleGroups: mapAll(v.Groups, toRoleGroupJSON)}})
	return nil
}

// setOrgRoleGroups replaces the organization's role groups, keeping its roles, and answers 202
// as Mosaic does, with the groups as stored.
func (s *Server) setOrgRoleGroups(w http.ResponseWriter, r *http.Request) error {
	var req orgRolesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.RoleGroupIDs == nil {
		return fault.Validation("role_group_ids is required: the ids of the application's role groups")
	}
	if err := s.roles.SetOrgRoles(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("organization_id"), nil, req.RoleGroupIDs); err != nil {
		return err
	}
	return s.writeOrgRoleGroups(w, r, http.StatusAccepted)
}

func (s *Server) getOrgRoleGroups(w http.ResponseWriter, r *http.Request) error {
	return s.writeOrgRoleGroups(w, r, http.StatusOK)
}

// setOrgRolesAndGroups replaces both lists and answers 202 with them as stored.
func (s *Server) setOrgRolesAndGroups(w http.ResponseWriter, r *http.Request) error {
	var req orgRolesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	rolesIDs, groups := req.RoleIDs, req.RoleGroupIDs
	if rolesIDs == nil {
		rolesIDs = &[]string{}
	}
	if groups == nil {
		groups = &[]string{}
	}
	if err := s.roles.SetOrgRoles(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("organization_id"), rolesIDs, groups); err != nil {
		return err
	}
	return s.writeOrgRoles(w, r, http.StatusAccepted)
}

func (s *Server) getOrgRolesAndGroups(w http.ResponseWriter, r *http.Request) error {
	return s.writeOrgRoles(w, r, http.StatusOK)
}
