package httpapi

import (
	"net/http"
	"strings"
)

// adminRoutes registers Mosaic's administration API: applications, their clients, resources,
// login preferences and signing keys, all of the Applications error family.
//
// As in Mosaic, the operations on one application (reading and changing it, its clients and
// its login preferences) take that application's own client token as well as a management
// application's admin token; the tenancy package keeps a client token to its own application.
// The tenant-wide ones (creating, listing and deleting applications, resources, signing keys)
// and the assignment of resources take the admin token or a client whose roles grant their
// permission (permissions.go).
func (s *Server) adminRoutes() {
	s.appRoute(http.MethodPost, "/cis/v1/applications", ClientToken, s.createApp)
	s.appRoute(http.MethodGet, "/cis/v1/applications", ClientToken, s.listApps)
	s.appRoute(http.MethodGet, "/cis/v1/applications/list", ClientToken, s.listBasicApps)
	s.appRoute(http.MethodGet, "/cis/v1/applications/{appId}", ClientToken, s.getApp)
	s.appRoute(http.MethodPut, "/cis/v1/applications/{appId}", ClientToken, s.updateApp)
	s.appRoute(http.MethodDelete, "/cis/v1/applications/{appId}", ClientToken, s.deleteApp)
	s.keyRoutes()
	s.handleDispatched(Route{Method: http.MethodPut, Pattern: "/cis/v1/applications/{appId}/resources", Access: ClientToken, Family: FamilyApplications, handle: s.setAppResources})
	s.clientRoutes()
	s.resourceRoutes()
	s.preferenceRoutes()
}

// appRoute registers a route of the Applications API, whose errors take that API's shape
// (FamilyApplications).
func (s *Server) appRoute(method, pattern string, access Access, h handlerFunc) {
	s.register(Route{Method: method, Pattern: pattern, Access: access, Family: FamilyApplications, handle: h})
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
	out := createdAppJSON{appJSON: toAppJSON(app), ClientSecret: issued.Secret}
	writeJSON(w, http.StatusCreated, adminResult[createdAppJSON]{Result: out})
	return nil
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.cfg.Tenancy.ListApplications(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]appJSON]{Result: mapAll(apps, toListedAppJSON)})
	return nil
}

// listBasicApps is Mosaic's getAppsList: every application's id, name and description.
func (s *Server) listBasicApps(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.cfg.Tenancy.ListApplications(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]basicAppJSON]{Result: mapAll(apps, toBasicAppJSON)})
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

// setAppResources is Mosaic's updateResourcesInApp: it replaces the resources of the
// application's default client and answers with the application.
func (s *Server) setAppResources(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeResourceIDs(w, r)
	if err != nil {
		return err
	}
	app, err := s.cfg.Tenancy.SetAppResources(r.Context(), callerOf(r), r.PathValue("appId"), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[appJSON]{Result: toAppJSON(app)})
	return nil
}

// appConfigRoute reports whether a route belongs to the Applications API. Its writes are
// audited as admin changes whichever token makes them: an application's own token changes its
// configuration as the admin token does.
func appConfigRoute(pattern string) bool {
	return strings.HasPrefix(pattern, "/cis/v1/applications") || strings.HasPrefix(pattern, "/cis/loginPreferences/") ||
		strings.HasPrefix(pattern, "/cis/v1/resources")
}
