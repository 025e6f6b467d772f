package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/token"
)

// keyRoutes registers Mosaic's signing-key operations over the tenant's token-signing keys
// (see token.Manager.TenantKeys). Mosaic keeps such keys per application; Latchkey keeps them
// per tenant, so they act for the whole tenant and take the signing-key permissions (the
// management application's token, or a client whose roles grant them).
// PUT and DELETE of one key overlap application routes and are dispatched (admin_dispatch.go).
func (s *Server) keyRoutes() {
	const keys = "/cis/v1/applications/signing-keys"
	s.appRoute(http.MethodPost, keys, ClientToken, s.createKey)
	s.appRoute(http.MethodGet, keys, ClientToken, s.listKeys)
	s.appRoute(http.MethodPost, keys+"/upload", ClientToken, s.uploadKey)
	s.handleDispatched(Route{Method: http.MethodPut, Pattern: keys + "/{id}", Access: ClientToken, Family: FamilyApplications, handle: s.updateKey})
	s.handleDispatched(Route{Method: http.MethodDelete, Pattern: keys + "/{id}", Access: ClientToken, Family: FamilyApplications, handle: s.deleteKey})
}

// Mosaic's key sources: the platform's shared keys, keys it generated, and uploaded ones.
const (
	keySourceGlobal   = "global"
	keySourceMosaic   = "mosaic"
	keySourceUploaded = "uploaded"
)

// keyJSON is Mosaic's ApiTokenSigningKey. id and kid are both the key id; app_id is empty, as
// keys belong to the tenant, and tenant_id too for the deployment's shared keys. deleted_at is
// always null: a deleted key is gone.
type keyJSON struct {
	ID        string  `json:"id"`
	AppID     string  `json:"app_id"`
	TenantID  string  `json:"tenant_id"`
	KID       string  `json:"kid"`
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	Algorithm string  `json:"algorithm"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
	DeletedAt *string `json:"deleted_at"`
}

func toKeyJSON(k model.SigningKey) keyJSON {
	out := keyJSON{ID: k.ID, TenantID: k.TenantID, KID: k.ID, Name: k.Name, Status: k.Status, Source: keySourceMosaic,
		Algorithm: k.Algorithm, CreatedAt: adminTime(k.CreatedAt), UpdatedAt: adminTime(k.UpdatedAt)}
	switch {
	case k.TenantID == token.Deployment:
		out.TenantID, out.Source = "", keySourceGlobal
	case k.Uploaded:
		out.Source = keySourceUploaded
	}
	return out
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.cfg.Tokens.TenantKeys(r.Context(), callerOf(r).TenantID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mapAll(keys, toKeyJSON))
	return nil
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name *string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	k, err := s.cfg.Tokens.CreateTenantKey(r.Context(), callerOf(r).TenantID, keyText(req.Name))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toKeyJSON(k))
	return nil
}

func (s *Server) uploadKey(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name *string        `json:"name"`
		JWK  map[string]any `json:"jwk"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.JWK == nil {
		return fault.Validation("jwk is required: the private key as a JSON Web Key object")
	}
	raw, err := json.Marshal(req.JWK)
	if err != nil {
		return fault.Validation("jwk must be a JSON Web Key object")
	}
	k, err := s.cfg.Tokens.UploadTenantKey(r.Context(), callerOf(r).TenantID, keyText(req.Name), raw)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toKeyJSON(k))
	return nil
}

func (s *Server) updateKey(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name   *string `json:"name"`
		Status *string `json:"status"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	k, err := s.cfg.Tokens.UpdateTenantKey(r.Context(), callerOf(r).TenantID, r.PathValue("id"),
		token.KeyChange{Name: req.Name, Status: req.Status})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toKeyJSON(k))
	return nil
}

func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Tokens.DeleteTenantKey(r.Context(), callerOf(r).TenantID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// keyText returns *v, or "" for an absent field, which the token package refuses where
// Mosaic requires the field.
func keyText(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}
