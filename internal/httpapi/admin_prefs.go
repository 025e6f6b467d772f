package httpapi

import (
	"encoding/json"
	"net/http"
)

func (s *Server) preferenceRoutes() {
	s.appRoute(http.MethodGet, "/cis/loginPreferences/{appId}", ClientToken, s.getPreferences)
	s.appRoute(http.MethodPut, "/cis/loginPreferences/{appId}/authMethods", ClientToken, s.setAuthMethods)
}

func (s *Server) getPreferences(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Tenancy.LoginPreferences(r.Context(), callerOf(r), r.PathValue("appId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[preferencesJSON]{Result: toPreferencesJSON(p)})
	return nil
}

// setAuthMethods takes the auth methods object itself: each method present replaces that
// method's settings; the tenancy package validates the method names and every value.
func (s *Server) setAuthMethods(w http.ResponseWriter, r *http.Request) error {
	var methods map[string]json.RawMessage
	if err := decodeJSON(w, r, &methods); err != nil {
		return err
	}
	p, err := s.cfg.Tenancy.SetAuthMethods(r.Context(), callerOf(r), r.PathValue("appId"), methods)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[preferencesJSON]{Result: toPreferencesJSON(p)})
	return nil
}
