package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/orgs"
)

// orgRoutes serves Mosaic's Organizations API, which takes the management application's token,
// and the Members API (members.go). Their errors take the Users API's shape, as Mosaic's do.
func (s *Server) orgRoutes() {
	org := func(method, pattern string, h handlerFunc) {
		s.register(Route{Method: method, Pattern: pattern, Access: AdminToken, Family: FamilyUsers, handle: h})
	}
	org(http.MethodPost, "/cis/v1/organizations", s.createOrg)
	org(http.MethodGet, "/cis/v1/organizations", s.listOrgs)
	org(http.MethodGet, "/cis/v1/organizations/{organization_id}", s.getOrg)
	org(http.MethodPut, "/cis/v1/organizations/{organization_id}", s.updateOrg)
	org(http.MethodDelete, "/cis/v1/organizations/{organization_id}", s.deleteOrg)
	org(http.MethodGet, "/cis/v1/organizations/name/{organization_name}", s.getOrgByName)
	org(http.MethodPut, "/cis/v1/organizations/{organization_id}/apps", s.orgApps(true))
	org(http.MethodDelete, "/cis/v1/organizations/{organization_id}/apps", s.orgApps(false))
	s.memberRoutes()
}

// orgRequest is the body of POST /cis/v1/organizations and PUT .../{organization_id}.
type orgRequest struct {
	Name      *string   `json:"name"`
	AliasName *string   `json:"alias_name"`
	Domain    *string   `json:"domain"`
	Domains   *[]string `json:"domains"`
	AppIDs    *[]string `json:"app_ids"`
	Enabled   *bool     `json:"enabled"`
}

func (req orgRequest) input() orgs.Input {
	return orgs.Input{Name: req.Name, AliasName: req.AliasName, Domain: req.Domain, Domains: req.Domains,
		AppIDs: req.AppIDs, Enabled: req.Enabled}
}

// orgJSON is an organization as Mosaic returns it; times are epoch milliseconds. domain is
// Mosaic's deprecated single domain: the first of domains, or empty.
type orgJSON struct {
	OrganizationID string   `json:"organization_id"`
	AppIDs         []string `json:"app_ids"`
	Name           string   `json:"name"`
	AliasName      string   `json:"alias_name,omitempty"`
	Domain         string   `json:"domain"`
	Domains        []string `json:"domains"`
	CreatedAt      int64    `json:"created_at"`
	UpdatedAt      int64    `json:"updated_at"`
	Enabled        bool     `json:"enabled"`
}

func toOrgJSON(o model.Organization) orgJSON {
	out := orgJSON{OrganizationID: o.ID, AppIDs: o.AppIDs, Name: o.Name, AliasName: o.AliasName, Domains: o.Domains,
		CreatedAt: o.CreatedAt.UnixMilli(), UpdatedAt: o.UpdatedAt.UnixMilli(), Enabled: o.Enabled}
	if out.AppIDs == nil {
		out.AppIDs = []string{}
	}
	if out.Domains == nil {
		out.Domains = []string{}
	}
	if len(out.Domains) > 0 {
		out.Domain = out.Domains[0]
	}
	return out
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	var req orgRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	o, err := s.cfg.Orgs.Create(r.Context(), callerOf(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[orgJSON]{Result: toOrgJSON(o)})
	return nil
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Orgs.List(r.Context(), callerOf(r), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]orgJSON]{Result: mapAll(list, toOrgJSON)})
	return nil
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	o, err := s.cfg.Orgs.Get(r.Context(), callerOf(r), r.PathValue("organization_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[orgJSON]{Result: toOrgJSON(o)})
	return nil
}

func (s *Server) getOrgByName(w http.ResponseWriter, r *http.Request) error {
	o, err := s.cfg.Orgs.GetByName(r.Context(), callerOf(r), r.PathValue("organization_name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[orgJSON]{Result: toOrgJSON(o)})
	return nil
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	var req orgRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	o, err := s.cfg.Orgs.Update(r.Context(), callerOf(r), r.PathValue("organization_id"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[orgJSON]{Result: toOrgJSON(o)})
	return nil
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Orgs.Delete(r.Context(), callerOf(r), r.PathValue("organization_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// appIDsRequest is the body of PUT and DELETE /cis/v1/organizations/{organization_id}/apps.
type appIDsRequest struct {
	AppIDs []string `json:"app_ids"`
}

func (s *Server) orgApps(add bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req appIDsRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		c, id := callerOf(r), r.PathValue("organization_id")
		var err error
		if add {
			err = s.cfg.Orgs.AddApps(r.Context(), c, id, req.AppIDs)
		} else {
			err = s.cfg.Orgs.RemoveApps(r.Context(), c, id, req.AppIDs)
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
