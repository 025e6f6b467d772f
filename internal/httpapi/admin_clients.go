package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func (s *Server) clientRoutes() {
	const one = "/cis/v1/applications/{appId}/clients/{clientId}"
	s.handle(http.MethodPost, "/cis/v1/applications/{appId}/clients", AdminToken, s.createClient)
	s.handle(http.MethodGet, "/cis/v1/applications/{appId}/clients", AdminToken, s.listClients)
	s.handle(http.MethodGet, one, AdminToken, s.getClient)
	s.handle(http.MethodPut, one, AdminToken, s.updateClient)
	s.handle(http.MethodDelete, one, AdminToken, s.deleteClient)
	s.handle(http.MethodPut, one+"/resources", AdminToken, s.setClientResources)
	s.handle(http.MethodPost, one+"/secret", AdminToken, s.rotateClientSecret)
}

// tokenExpirationJSON is Mosaic's token_expiration object; lifetimes are in seconds.
type tokenExpirationJSON struct {
	AccessTokenTTL  *int `json:"access_token_ttl"`
	RefreshTokenTTL *int `json:"refresh_token_ttl"`
}

// clientRequest is the body of POST and PUT .../clients[/{clientId}]. Absent and null fields
// are left unchanged on PUT and take their defaults on POST.
type clientRequest struct {
	Name                *string              `json:"name"`
	Description         *string              `json:"description"`
	RedirectURIs        *[]string            `json:"redirect_uris"`
	Resources           *[]string            `json:"resources"`
	DefaultCustomClaims *[]string            `json:"default_custom_claims"`
	TokenExpiration     *tokenExpirationJSON `json:"token_expiration"`
	SessionExpiration   *int                 `json:"session_expiration"`
}

func (req clientRequest) input() tenancy.ClientInput {
	in := tenancy.ClientInput{
		Name:                req.Name,
		Description:         req.Description,
		RedirectURIs:        req.RedirectURIs,
		ResourceIDs:         req.Resources,
		DefaultCustomClaims: req.DefaultCustomClaims,
		SessionExpiration:   req.SessionExpiration,
	}
	if req.TokenExpiration != nil {
		in.AccessTokenTTL = req.TokenExpiration.AccessTokenTTL
		in.RefreshTokenTTL = req.TokenExpiration.RefreshTokenTTL
	}
	return in
}

// clientJSON is a client in Mosaic's shape. It never carries the secret's hash.
type clientJSON struct {
	ClientID            string             `json:"client_id"`
	AppID               string             `json:"app_id"`
	Name                string             `json:"name"`
	Description         string             `json:"description"`
	RedirectURIs        []string           `json:"redirect_uris"`
	Resources           []string           `json:"resources"`
	DefaultCustomClaims []string           `json:"default_custom_claims"`
	TokenExpiration     clientLifetimeJSON `json:"token_expiration"`
	SessionExpiration   int                `json:"session_expiration"`
	CreatedAt           int64              `json:"created_at"`
	UpdatedAt           int64              `json:"updated_at"`
}

// clientLifetimeJSON is token_expiration in responses; zero means the default.
type clientLifetimeJSON struct {
	AccessTokenTTL  int `json:"access_token_ttl"`
	RefreshTokenTTL int `json:"refresh_token_ttl"`
}

// clientWithSecretJSON is a client with its secret, answered once at creation or rotation.
type clientWithSecretJSON struct {
	clientJSON
	ClientSecret string `json:"client_secret"`
}

func toClientJSON(c model.Client) clientJSON {
	return clientJSON{
		ClientID:            c.ID,
		AppID:               c.AppID,
		Name:                c.Name,
		Description:         c.Description,
		RedirectURIs:        nonNil(c.RedirectURIs),
		Resources:           nonNil(c.ResourceIDs),
		DefaultCustomClaims: nonNil(c.DefaultCustomClaims),
		TokenExpiration:     clientLifetimeJSON{AccessTokenTTL: c.AccessTokenTTL, RefreshTokenTTL: c.RefreshTokenTTL},
		SessionExpiration:   c.SessionExpiration,
		CreatedAt:           c.CreatedAt.UnixMilli(),
		UpdatedAt:           c.UpdatedAt.UnixMilli(),
	}
}

// nonNil makes an absent list encode as [] rather than null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request) error {
	var req clientRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	issued, err := s.cfg.Tenancy.CreateClient(r.Context(), callerOf(r), r.PathValue("appId"), req.input())
	if err != nil {
		return err
	}
	out := clientWithSecretJSON{clientJSON: toClientJSON(issued.Client), ClientSecret: issued.Secret}
	writeJSON(w, http.StatusCreated, adminResult[clientWithSecretJSON]{Result: out})
	return nil
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	clients, err := s.cfg.Tenancy.ListClients(r.Context(), callerOf(r), r.PathValue("appId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]clientJSON]{Result: mapAll(clients, toClientJSON)})
	return nil
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cfg.Tenancy.Client(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[clientJSON]{Result: toClientJSON(c)})
	return nil
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) error {
	var req clientRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.cfg.Tenancy.UpdateClient(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[clientJSON]{Result: toClientJSON(c)})
	return nil
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request) error {
	err := s.cfg.Tenancy.DeleteClient(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setClientResources(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeResourceIDs(w, r)
	if err != nil {
		return err
	}
	c, err := s.cfg.Tenancy.SetClientResources(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[clientJSON]{Result: toClientJSON(c)})
	return nil
}

// rotateClientSecret issues a new secret, answered once; the old one stops working at once.
func (s *Server) rotateClientSecret(w http.ResponseWriter, r *http.Request) error {
	issued, err := s.cfg.Tenancy.RotateClientSecret(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"))
	if err != nil {
		return err
	}
	out := clientWithSecretJSON{clientJSON: toClientJSON(issued.Client), ClientSecret: issued.Secret}
	writeJSON(w, http.StatusOK, adminResult[clientWithSecretJSON]{Result: out})
	return nil
}

// decodeResourceIDs reads the {"resource_ids": [...]} body of the resource assignment routes.
// The list is required, so that a misspelt key does not silently take every resource away.
func decodeResourceIDs(w http.ResponseWriter, r *http.Request) ([]string, error) {
	var req struct {
		ResourceIDs *[]string `json:"resource_ids"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	if req.ResourceIDs == nil {
		return nil, fault.Validation("resource_ids is required")
	}
	return *req.ResourceIDs, nil
}
