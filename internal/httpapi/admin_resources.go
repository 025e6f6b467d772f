package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func (s *Server) resourceRoutes() {
	s.handle(http.MethodPost, "/cis/v1/resources", AdminToken, s.createResource)
	s.handle(http.MethodGet, "/cis/v1/resources", AdminToken, s.listResources)
	s.handle(http.MethodGet, "/cis/v1/resources/{resourceId}", AdminToken, s.getResource)
	s.handle(http.MethodPut, "/cis/v1/resources/{resourceId}", AdminToken, s.updateResource)
	s.handle(http.MethodDelete, "/cis/v1/resources/{resourceId}", AdminToken, s.deleteResource)
}

// resourceRequest is the body of POST and PUT /cis/v1/resources[/{resourceId}]. Absent and
// null fields are left unchanged on PUT.
type resourceRequest struct {
	URI            *string `json:"uri"`
	Name           *string `json:"name"`
	Description    *string `json:"description"`
	AccessTokenTTL *int    `json:"access_token_ttl"`
}

func (req resourceRequest) input() tenancy.ResourceInput {
	return tenancy.ResourceInput{URI: req.URI, Name: req.Name, Description: req.Description, AccessTokenTTL: req.AccessTokenTTL}
}

// resourceJSON is a resource; access_token_ttl is in seconds, zero meaning the default.
type resourceJSON struct {
	ResourceID     string `json:"resource_id"`
	URI            string `json:"uri"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	AccessTokenTTL int    `json:"access_token_ttl"`
	CreatedAt      int64  `json:"created_at"`
}

func toResourceJSON(res model.Resource) resourceJSON {
	return resourceJSON{
		ResourceID:     res.ID,
		URI:            res.URI,
		Name:           res.Name,
		Description:    res.Description,
		AccessTokenTTL: res.AccessTokenTTL,
		CreatedAt:      res.CreatedAt.UnixMilli(),
	}
}

func (s *Server) createResource(w http.ResponseWriter, r *http.Request) error {
	var req resourceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.cfg.Tenancy.CreateResource(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[resourceJSON]{Result: toResourceJSON(res)})
	return nil
}

func (s *Server) listResources(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Tenancy.ListResources(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]resourceJSON]{Result: mapAll(list, toResourceJSON)})
	return nil
}

func (s *Server) getResource(w http.ResponseWriter, r *http.Request) error {
	res, err := s.cfg.Tenancy.Resource(r.Context(), callerOf(r), r.PathValue("resourceId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[resourceJSON]{Result: toResourceJSON(res)})
	return nil
}

func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) error {
	var req resourceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.cfg.Tenancy.UpdateResource(r.Context(), callerOf(r), r.PathValue("resourceId"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[resourceJSON]{Result: toResourceJSON(res)})
	return nil
}

func (s *Server) deleteResource(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Tenancy.DeleteResource(r.Context(), callerOf(r), r.PathValue("resourceId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
