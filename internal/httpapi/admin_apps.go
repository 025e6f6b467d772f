package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// adminRoutes registers Mosaic's administration API: applications, their clients, resources
// and login preferences. Every route takes a management application's token; the tenancy
// package scopes each call to that token's tenant.
func (s *Server) adminRoutes() {
	s.handle(http.MethodPost, "/cis/v1/applications", AdminToken, s.createApp)
	s.handle(http.MethodGet, "/cis/v1/applications", AdminToken, s.listApps)
	s.handle(http.MethodGet, "/cis/v1/applications/{appId}", AdminToken, s.getApp)
	s.handle(http.MethodPut, "/cis/v1/applications/{appId}", AdminToken, s.updateApp)
	s.handle(http.MethodDelete, "/cis/v1/applications/{appId}", AdminToken, s.deleteApp)
	s.handle(http.MethodPut, "/cis/v1/applications/{appId}/resources", AdminToken, s.setAppResources)
	s.clientRoutes()
	s.resourceRoutes()
	s.preferenceRoutes()
}

// adminResult wraps a record or a list as Mosaic does: {"result": ...}.
type adminResult[T any] struct {
	Result T `json:"result"`
}

// appRequest is the body of POST and PUT /cis/v1/applications[/{appId}]. Absent and null
// fields are left unchanged on PUT and take their defaults on POST.
type appRequest struct {
	AppName               *string   `json:"app_name"`
	Kind                  *string   `json:"kind"`
	Description           *string   `json:"description"`
	RedirectURIs          *[]string `json:"redirect_uris"`
	AllowPublicSignup     *bool     `json:"allow_public_signup"`
	EnumerationProtection *bool     `json:"enumeration_protection"`
}

func (req appRequest) input() tenancy.ApplicationInput {
	return tenancy.ApplicationInput{
		Name:                  req.AppName,
		Kind:                  req.Kind,
		Description:           req.Description,
		RedirectURIs:          req.RedirectURIs,
		AllowPublicSignup:     req.AllowPublicSignup,
		EnumerationProtection: req.EnumerationProtection,
	}
}

// appJSON is an application in Mosaic's shape, with its login preferences embedded.
type appJSON struct {
	AppID                 string          `json:"app_id"`
	AppName               string          `json:"app_name"`
	Description           string          `json:"description"`
	Kind                  string          `json:"kind"`
	RedirectURIs          []string        `json:"redirect_uris"`
	AllowPublicSignup     bool            `json:"allow_public_signup"`
	EnumerationProtection bool            `json:"enumeration_protection"`
	LoginPreferences      preferencesJSON `json:"login_preferences"`
	CreatedAt             int64           `json:"created_at"`
	UpdatedAt             int64           `json:"updated_at"`
}

// createdAppJSON is a new application with the credentials of its default client, whose
// secret is shown this once.
type createdAppJSON struct {
	appJSON
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

func toAppJSON(a model.Application) appJSON {
	uris := a.RedirectURIs
	if uris == nil {
		uris = []string{}
	}
	return appJSON{
		AppID:                 a.ID,
		AppName:               a.Name,
		Description:           a.Description,
		Kind:                  a.Kind,
		RedirectURIs:          uris,
		AllowPublicSignup:     a.AllowPublicSignup,
		EnumerationProtection: a.EnumerationProtection,
		LoginPreferences:      preferencesJSON{AuthMethods: a.Preferences.Normalized()},
		CreatedAt:             a.CreatedAt.UnixMilli(),
		UpdatedAt:             a.UpdatedAt.UnixMilli(),
	}
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) error {
	var req appRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	app, issued, err := s.cfg.Tenancy.CreateApplication(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	out := createdAppJSON{appJSON: toAppJSON(app), ClientID: issued.Client.ID, ClientSecret: issued.Secret}
	writeJSON(w, http.StatusCreated, adminResult[createdAppJSON]{Result: out})
	return nil
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.cfg.Tenancy.ListApplications(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]appJSON]{Result: mapAll(apps, toAppJSON)})
	return nil
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) error {
	app, err := s.cfg.Tenancy.Application(r.Context(), callerOf(r), r.PathValue("appId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[appJSON]{Result: toAppJSON(app)})
	return nil
}

func (s *Server) updateApp(w http.ResponseWriter, r *http.Request) error {
	var req appRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	app, err := s.cfg.Tenancy.UpdateApplication(r.Context(), callerOf(r), r.PathValue("appId"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[appJSON]{Result: toAppJSON(app)})
	return nil
}

func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Tenancy.DeleteApplication(r.Context(), callerOf(r), r.PathValue("appId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setAppResources gives every client of the application the same resources and answers with
// the clients as stored.
func (s *Server) setAppResources(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeResourceIDs(w, r)
	if err != nil {
		return err
	}
	clients, err := s.cfg.Tenancy.SetAppResources(r.Context(), callerOf(r), r.PathValue("appId"), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]clientJSON]{Result: mapAll(clients, toClientJSON)})
	return nil
}
