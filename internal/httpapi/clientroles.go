package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/tenancy"
)

// clientRoleRoutes serves Latchkey's own API for client roles: the built-in catalog and the
// roles a tenant defines from the same permissions, which its clients hold through role_ids.
// Reading takes read:app, defining write:client_role (the admin token, or the tenant-wide role).
func (s *Server) clientRoleRoutes() {
	const base = "/cis/v1/client-roles"
	s.handle(http.MethodGet, base, ClientToken, s.listClientRoles)
	s.handle(http.MethodPost, base, ClientToken, s.createClientRole)
	s.handle(http.MethodGet, base+"/{role_id}", ClientToken, s.getClientRole)
	s.handle(http.MethodPut, base+"/{role_id}", ClientToken, s.updateClientRole)
	s.handle(http.MethodDelete, base+"/{role_id}", ClientToken, s.deleteClientRole)
}

// clientRoleRequest is the body of POST and PUT /cis/v1/client-roles[/{role_id}]; absent
// fields stay as they are on PUT.
type clientRoleRequest struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

func (req clientRoleRequest) input() tenancy.ClientRoleInput {
	return tenancy.ClientRoleInput{Name: req.Name, Description: req.Description, Permissions: req.Permissions}
}

// clientRoleJSON is a client role; a built-in one has no dates.
type clientRoleJSON struct {
	RoleID      string   `json:"role_id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	BuiltIn     bool     `json:"built_in"`
	CreatedAt   string   `json:"created_at,omitempty"`
	UpdatedAt   string   `json:"updated_at,omitempty"`
}

func toClientRoleJSON(v tenancy.ClientRoleView) clientRoleJSON {
	out := clientRoleJSON{RoleID: v.ID, Name: v.Name, Description: v.Description, Permissions: nonNil(v.Permissions), BuiltIn: v.BuiltIn}
	if !v.BuiltIn {
		out.CreatedAt, out.UpdatedAt = adminTime(v.CreatedAt), adminTime(v.UpdatedAt)
	}
	return out
}

func (s *Server) listClientRoles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Tenancy.ClientRoles(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]clientRoleJSON]{Result: mapAll(list, toClientRoleJSON)})
	return nil
}

func (s *Server) getClientRole(w http.ResponseWriter, r *http.Request) error {
	v, err := s.cfg.Tenancy.ClientRole(r.Context(), callerOf(r), r.PathValue("role_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[clientRoleJSON]{Result: toClientRoleJSON(v)})
	return nil
}

func (s *Server) createClientRole(w http.ResponseWriter, r *http.Request) error {
	var req clientRoleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.cfg.Tenancy.CreateClientRole(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[clientRoleJSON]{Result: toClientRoleJSON(v)})
	return nil
}

func (s *Server) updateClientRole(w http.ResponseWriter, r *http.Request) error {
	var req clientRoleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.cfg.Tenancy.UpdateClientRole(r.Context(), callerOf(r), r.PathValue("role_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[clientRoleJSON]{Result: toClientRoleJSON(v)})
	return nil
}

func (s *Server) deleteClientRole(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Tenancy.DeleteClientRole(r.Context(), callerOf(r), r.PathValue("role_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
