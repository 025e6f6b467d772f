package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
)

// roleRoutes serves Mosaic's Roles API: an application's roles and their assignment to users,
// with the management application's token.
func (s *Server) roleRoutes() {
	if s.cfg.Auth != nil { // route listings build a server without services
		s.roles = roles.New(s.cfg.Auth.Store(), s.cfg.Auth.Now)
	}
	const base = "/cis/v1/applications/{app_id}/roles"
	s.handle(http.MethodPost, base, AdminToken, s.createRole)
	s.handle(http.MethodGet, base, AdminToken, s.listRoles)
	s.handle(http.MethodGet, base+"/{role_id}", AdminToken, s.getRole)
	s.handle(http.MethodPut, base+"/{role_id}", AdminToken, s.updateRole)
	s.handle(http.MethodDelete, base+"/{role_id}", AdminToken, s.deleteRole)
	s.handle(http.MethodPost, base+"/{role_id}/assignments", AdminToken, s.assignRole)
	s.handle(http.MethodDelete, base+"/{role_id}/assignments/{entity_id}", AdminToken, s.unassignRole)
	s.handle(http.MethodGet, "/cis/v1/applications/{app_id}/users/{user_id}/roles", AdminToken, s.userRoles)
}

// roleRequest is the body of POST and PUT .../roles[/{role_id}]; absent fields are left
// unchanged on PUT.
type roleRequest struct {
	RoleName    *string   `json:"role_name"`
	DisplayName *string   `json:"display_name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

func (req roleRequest) input() roles.Input {
	return roles.Input{Name: req.RoleName, DisplayName: req.DisplayName, Description: req.Description, Permissions: req.Permissions}
}

// roleJSON is a role as Mosaic shows it.
type roleJSON struct {
	RoleID      string   `json:"role_id"`
	RoleName    string   `json:"role_name"`
	DisplayName string   `json:"display_name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	AppID       string   `json:"app_id"`
	CreatedAt   int64    `json:"created_at"`
	UpdatedAt   int64    `json:"updated_at"`
}

func toRoleJSON(r model.Role) roleJSON {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return roleJSON{
		RoleID: r.ID, RoleName: r.Name, DisplayName: r.DisplayName, Description: r.Description,
		Permissions: perms, AppID: r.AppID, CreatedAt: r.CreatedAt.UnixMilli(), UpdatedAt: r.UpdatedAt.UnixMilli(),
	}
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	role, err := s.roles.CreateRole(r.Context(), callerOf(r), r.PathValue("app_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[roleJSON]{Result: toRoleJSON(role)})
	return nil
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.roles.Roles(r.Context(), callerOf(r), r.PathValue("app_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]roleJSON]{Result: mapAll(list, toRoleJSON)})
	return nil
}

func (s *Server) getRole(w http.ResponseWriter, r *http.Request) error {
	role, err := s.roles.Role(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("role_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[roleJSON]{Result: toRoleJSON(role)})
	return nil
}

// updateRole answers 202 as Mosaic does, with the role as stored.
func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	role, err := s.roles.UpdateRole(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("role_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, adminResult[roleJSON]{Result: toRoleJSON(role)})
	return nil
}

func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := s.roles.DeleteRole(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("role_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// assignmentRequest is the body of POST .../roles/{role_id}/assignments.
type assignmentRequest struct {
	EntityIDs  []string `json:"entity_ids"`
	EntityType string   `json:"entity_type"`
}

func (s *Server) assignRole(w http.ResponseWriter, r *http.Request) error {
	var req assignmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	err := s.roles.Assign(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("role_id"), req.EntityType, req.EntityIDs)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unassignRole(w http.ResponseWriter, r *http.Request) error {
	err := s.roles.Unassign(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("role_id"), r.PathValue("entity_id"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) userRoles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.roles.UserRoles(r.Context(), callerOf(r), r.PathValue("app_id"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]roleJSON]{Result: mapAll(list, toRoleJSON)})
	return nil
}
