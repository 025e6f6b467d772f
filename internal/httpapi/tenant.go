package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

func (s *Server) tenantRoutes() {
	s.handle("GET", "/cis/v1/tenant", AdminToken, s.getTenant)
	s.handle("PUT", "/cis/v1/tenant", AdminToken, s.updateTenant)
}

type tenantJSON struct {
	TenantID        string   `json:"tenant_id"`
	Name            string   `json:"name"`
	SigningAlg      string   `json:"signing_alg"`
	DefaultLanguage string   `json:"default_language"`
	Languages       []string `json:"languages,omitempty"`
}

func (s *Server) tenantOut(t model.Tenant) tenantJSON {
	return tenantJSON{
		TenantID: t.ID, Name: t.Name, SigningAlg: t.SigningAlg, DefaultLanguage: t.DefaultLanguage,
		Languages: s.cfg.Tenancy.Languages(),
	}
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.Tenancy.Tenant(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": s.tenantOut(t)})
	return nil
}

type tenantInput struct {
	DefaultLanguage *string `json:"default_language"`
}

func (s *Server) updateTenant(w http.ResponseWriter, r *http.Request) error {
	var in tenantInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	cur, err := s.cfg.Tenancy.Tenant(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	settings := tenancy.TenantSettings{DefaultLanguage: cur.DefaultLanguage}
	if in.DefaultLanguage != nil {
		settings.DefaultLanguage = *in.DefaultLanguage
	}
	t, err := s.cfg.Tenancy.UpdateTenant(r.Context(), callerOf(r), settings)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": s.tenantOut(t)})
	return nil
}
