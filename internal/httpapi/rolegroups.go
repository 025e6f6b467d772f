package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/roles"
)

// roleGroupRoutes serves Mosaic's role groups: named bundles of an application's roles, with
// the management application's token. A group grants nothing by itself.
func (s *Server) roleGroupRoutes() {
	const base = "/cis/v1/applications/{app_id}/role-groups"
	s.handle(http.MethodPost, base, AdminToken, s.createRoleGroup)
	s.handle(http.MethodGet, base, AdminToken, s.listRoleGroups)
}

// roleGroupRequest is the body of POST .../role-groups.
type roleGroupRequest struct {
	Name        *string   `json:"name"`
	DisplayName *string   `json:"display_name"`
	Description *string   `json:"description"`
	RoleIDs     *[]string `json:"role_ids"`
}

// roleGroupJSON is a role group as Mosaic shows it, with its roles in full; Latchkey adds
// app_id, role_ids and the dates.
type roleGroupJSON struct {
	GroupID     string     `json:"group_id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name"`
	Description string     `json:"description"`
	AppID       string     `json:"app_id"`
	RoleIDs     []string   `json:"role_ids"`
	Roles       []roleJSON `json:"roles"`
	CreatedAt   int64      `json:"created_at"`
	UpdatedAt   int64      `json:"updated_at"`
}

func toRoleGroupJSON(v roles.GroupView) roleGroupJSON {
	out := roleGroupJSON{
		GroupID: v.ID, Name: v.Name, DisplayName: v.DisplayName, Description: v.Description, AppID: v.AppID,
		RoleIDs: []string{}, Roles: mapAll(v.Roles, toRoleJSON),
		CreatedAt: v.CreatedAt.UnixMilli(), UpdatedAt: v.UpdatedAt.UnixMilli(),
	}
	// role_ids names the roles shown: a role deleted since leaves both.
	for _, r := range v.Roles {
		out.RoleIDs = append(out.RoleIDs, r.ID)
	}
	return out
}

func (s *Server) createRoleGroup(w http.ResponseWriter, r *http.Request) error {
	var req roleGroupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	g, err := s.roles.CreateRoleGroup(r.Context(), callerOf(r), r.PathValue("app_id"), roles.GroupInput{
		Name: req.Name, DisplayName: req.DisplayName, Description: req.Description, RoleIDs: req.RoleIDs})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[roleGroupJSON]{Result: toRoleGroupJSON(g)})
	return nil
}

func (s *Server) listRoleGroups(w http.ResponseWriter, r *http.Request) error {
	list, err := s.roles.RoleGroups(r.Context(), callerOf(r), r.PathValue("app_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]roleGroupJSON]{Result: mapAll(list, toRoleGroupJSON)})
	return nil
}
