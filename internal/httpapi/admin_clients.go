package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func (s *Server) clientRoutes() {
	const all = "/cis/v1/applications/{appId}/clients"
	const one = all + "/{clientId}"
	s.appRoute(http.MethodPost, all, ClientToken, s.createClient)
	s.appRoute(http.MethodGet, all, ClientToken, s.listClients)
	s.handleDispatched(Route{Method: http.MethodDelete, Pattern: all, Access: ClientToken, Family: FamilyApplications, handle: s.deleteAppClients})
	s.appRoute(http.MethodGet, one, ClientToken, s.getClient)
	s.appRoute(http.MethodPut, one, ClientToken, s.updateClient)
	s.appRoute(http.MethodDelete, one, ClientToken, s.deleteClient)
	s.appRoute(http.MethodPut, one+"/resources", ClientToken, s.setClientResources)
	s.appRoute(http.MethodPost, one+"/secret", ClientToken, s.rotateClientSecret)
}

// tokenExpirationJSON is Mosaic's token_expiration object; lifetimes are in seconds.
type tokenExpirationJSON struct {
	AccessTokenTTL   *int `json:"access_token_ttl"`
	RefreshTokenTTL  *int `json:"refresh_token_ttl"`
	MaxRefreshRotate *int `json:"max_refresh_rotate"`
}

// clientRequest is the body of POST and PUT .../clients[/{clientId}], the fields of Mosaic's
// ApiCreateOidcClientInput that Latchkey acts on (the others are ignored, as unknown fields
// are). Absent and null fields are left unchanged on PUT and take their defaults on POST.
type clientRequest struct {
	Name                *string              `json:"name"`
	Description         *string              `json:"description"`
	ClientType          *string              `json:"client_type"`
	RedirectURIs        *[]string            `json:"redirect_uris"`
	Resources           *[]string            `json:"resources"`
	DefaultCustomClaims *[]string            `json:"default_custom_claims"`
	TokenExpiration     *tokenExpirationJSON `json:"token_expiration"`
	SessionExpiration   *int                 `json:"session_expiration"`
	Protocol            *string              `json:"authentication_protocol"`
	RoleIDs             *[]string            `json:"role_ids"`
}

func (req clientRequest) input() tenancy.ClientInput {
	in := tenancy.ClientInput{
		Name:                req.Name,
		Description:         req.Description,
		ClientType:          req.ClientType,
		RedirectURIs:        req.RedirectURIs,
		ResourceIDs:         req.Resources,
		DefaultCustomClaims: req.DefaultCustomClaims,
		SessionExpiration:   req.SessionExpiration,
		Protocol:            req.Protocol,
		RoleIDs:             req.RoleIDs,
	}
	if te := req.TokenExpiration; te != nil {
		in.AccessTokenTTL, in.RefreshTokenTTL, in.MaxRefreshRotate = te.AccessTokenTTL, te.RefreshTokenTTL, te.MaxRefreshRotate
	}
	return in
}

// clientJSON is a client in Mosaic's shape (ApiOidcClient), not wrapped in a result object, as
// Mosaic's client operations answer. The features Latchkey does not have (client groups,
// device and CIBA authorization, prompts, PAR, FAPI) read as off. client_secret is present only
// when the secret was just issued: Latchkey keeps nothing from which to show it again.
type clientJSON struct {
	AppID                  string             `json:"app_id"`
	TenantID               string             `json:"tenant_id"`
	ClientID               string             `json:"client_id"`
	ClientSecret           *string            `json:"client_secret,omitempty"`
	Name                   string             `json:"name"`
	Description            string             `json:"description"`
	Resources              []string           `json:"resources"`
	CreatedAt              string             `json:"created_at"`
	UpdatedAt              string             `json:"updated_at"`
	AuthenticationProtocol string             `json:"authentication_protocol"`
	ClientGroupID          string             `json:"client_group_id"`
	DefaultCustomClaims    []string           `json:"default_custom_claims"`
	RedirectURIs           []string           `json:"redirect_uris"`
	ClientType             string             `json:"client_type"`
	DeviceAuthorization    deviceAuthJSON     `json:"device_authorization"`
	CibaAuthorization      cibaAuthJSON       `json:"ciba_authorization"`
	SupportedPrompts       []string           `json:"supported_prompts"`
	TokenExpiration        clientLifetimeJSON `json:"token_expiration"`
	SessionExpiration      int                `json:"session_expiration"`
	EnforcePAR             bool               `json:"enforce_par"`
	FAPIVersionCompliancy  bool               `json:"fapi_version_compliancy"`
	// RoleIDs are the client's roles, which Mosaic takes on create and update (role_ids) and
	// Latchkey also answers with.
	RoleIDs []string `json:"role_ids"`
}

// deviceAuthJSON and cibaAuthJSON are Mosaic's device_authorization and ciba_authorization,
// which Latchkey does not implement: always disabled.
type deviceAuthJSON struct {
	Enabled     bool   `json:"enabled"`
	ApprovalURI string `json:"approval_uri"`
	SuccessURI  string `json:"success_uri"`
	InputURI    string `json:"input_uri"`
}

type cibaAuthJSON struct {
	Enabled bool `json:"enabled"`
}

// clientLifetimeJSON is token_expiration in responses; zero means the default.
type clientLifetimeJSON struct {
	AccessTokenTTL   int `json:"access_token_ttl"`
	RefreshTokenTTL  int `json:"refresh_token_ttl"`
	MaxRefreshRotate int `json:"max_refresh_rotate"`
}

// clientType reads an unset type (clients made before types were kept) as web.
func clientType(c model.Client) string {
	if c.ClientType == "" {
		return model.ClientTypeWeb
	}
	return c.ClientType
}

func toClientJSON(c model.Client) clientJSON {
	return clientJSON{
		AppID:                  c.AppID,
		TenantID:               c.TenantID,
		ClientID:               c.ID,
		Name:                   c.Name,
		Description:            c.Description,
		Resources:              nonNil(c.ResourceIDs),
		CreatedAt:              adminTime(c.CreatedAt),
		UpdatedAt:              adminTime(c.UpdatedAt),
		AuthenticationProtocol: "oidc",
		DefaultCustomClaims:    nonNil(c.DefaultCustomClaims),
		RedirectURIs:           nonNil(c.RedirectURIs),
		ClientType:             clientType(c),
		SupportedPrompts:       []string{},
		TokenExpiration: clientLifetimeJSON{AccessTokenTTL: c.AccessTokenTTL, RefreshTokenTTL: c.RefreshTokenTTL,
			MaxRefreshRotate: c.MaxRefreshRotate},
		SessionExpiration: c.SessionExpiration,
		RoleIDs:           nonNil(c.RoleIDs),
	}
}

// toIssuedClientJSON is a client with the secret just issued to it.
func toIssuedClientJSON(issued tenancy.IssuedClient) clientJSON {
	out := toClientJSON(issued.Client)
	out.ClientSecret = &issued.Secret
	return out
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
	writeJSON(w, http.StatusCreated, toIssuedClientJSON(issued))
	return nil
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	clients, err := s.cfg.Tenancy.ListClients(r.Context(), callerOf(r), r.PathValue("appId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mapAll(clients, toClientJSON))
	return nil
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cfg.Tenancy.Client(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toClientJSON(c))
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
	writeJSON(w, http.StatusOK, toClientJSON(c))
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
	writeJSON(w, http.StatusOK, toClientJSON(c))
	return nil
}

// deleteAppClients is Mosaic's deleteAppClients: every client of the application goes.
func (s *Server) deleteAppClients(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Tenancy.DeleteAppClients(r.Context(), callerOf(r), r.PathValue("appId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateClientSecret issues a new secret, answered once; the old one stops working at once.
func (s *Server) rotateClientSecret(w http.ResponseWriter, r *http.Request) error {
	issued, err := s.cfg.Tenancy.RotateClientSecret(r.Context(), callerOf(r), r.PathValue("appId"), r.PathValue("clientId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toIssuedClientJSON(issued))
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
