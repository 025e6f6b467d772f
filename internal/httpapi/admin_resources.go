package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func (s *Server) resourceRoutes() {
	s.appRoute(http.MethodPost, "/cis/v1/resources", ClientToken, s.createResource)
	s.appRoute(http.MethodGet, "/cis/v1/resources", ClientToken, s.listResources)
	// A literal segment outranks {resourceId} in http.ServeMux, and no resource id is "uri".
	s.appRoute(http.MethodGet, "/cis/v1/resources/uri", ClientToken, s.getResourceByURI)
	s.appRoute(http.MethodGet, "/cis/v1/resources/{resourceId}", ClientToken, s.getResource)
	s.appRoute(http.MethodPut, "/cis/v1/resources/{resourceId}", ClientToken, s.updateResource)
	s.appRoute(http.MethodDelete, "/cis/v1/resources/{resourceId}", ClientToken, s.deleteResource)
}

// resourceRequest is the body of POST and PUT /cis/v1/resources[/{resourceId}], Mosaic's
// resource input. Absent and null fields are left unchanged on PUT; on POST the lifetimes
// default to zero, which means the client's or the deployment's.
type resourceRequest struct {
	URI              *string `json:"uri"`
	Name             *string `json:"name"`
	Description      *string `json:"description"`
	AccessTokenTTL   *int    `json:"access_token_ttl"`
	RefreshTokenTTL  *int    `json:"refresh_token_ttl"`
	MaxRefreshRotate *int    `json:"max_refresh_rotate"`
}

func (req resourceRequest) input() tenancy.ResourceInput {
	return tenancy.ResourceInput{URI: req.URI, Name: req.Name, Description: req.Description,
		AccessTokenTTL: req.AccessTokenTTL, RefreshTokenTTL: req.RefreshTokenTTL, MaxRefreshRotate: req.MaxRefreshRotate}
}

// resourceJSON is a resource in Mosaic's shape; lifetimes are in seconds, zero meaning the
// client's or the deployment's.
type resourceJSON struct {
	ResourceID       string `json:"resource_id"`
	TenantID         string `json:"tenant_id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	URI              string `json:"uri"`
	AccessTokenTTL   int    `json:"access_token_ttl"`
	RefreshTokenTTL  int    `json:"refresh_token_ttl"`
	MaxRefreshRotate int    `json:"max_refresh_rotate"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
}

func toResourceJSON(res model.Resource) resourceJSON {
	return resourceJSON{
		ResourceID:       res.ID,
		TenantID:         res.TenantID,
		Name:             res.Name,
		Description:      res.Description,
		URI:              res.URI,
		AccessTokenTTL:   res.AccessTokenTTL,
		RefreshTokenTTL:  res.RefreshTokenTTL,
		MaxRefreshRotate: res.MaxRefreshRotate,
		CreatedAt:        adminTime(res.CreatedAt),
		UpdatedAt:        adminTime(res.UpdatedAt),
	}
}

// getResourceByURI is Mosaic's getResourcesByUri: GET /cis/v1/resources/uri?resourceUri=...
func (s *Server) getResourceByURI(w http.ResponseWriter, r *http.Request) error {
	res, err := s.cfg.Tenancy.ResourceByURI(r.Context(), callerOf(r), r.URL.Query().Get("resourceUri"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[resourceJSON]{Result: toResourceJSON(res)})
	return nil
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
