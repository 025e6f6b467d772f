package httpapi

import (
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/internal/orgs"
)

// orgLogoRoutes serve an organization's logo: Mosaic's upload, and Latchkey's read of the
// image, so that a page (the admin portal, a backend) can show it.
func (s *Server) orgLogoRoutes() {
	const path = "/cis/v1/organizations/{organization_id}/logo"
	s.register(Route{Method: http.MethodPost, Pattern: path, Access: AdminToken, Family: FamilyUsers, handle: s.uploadOrgLogo})
	// Not GET .../logo: ServeMux finds that and GET /cis/v1/organizations/name/{organization_name}
	// equally specific, and refuses both.
	s.register(Route{Method: http.MethodGet, Pattern: path + "/image", Access: AdminToken, Family: FamilyUsers, handle: s.getOrgLogo})
}

// maxLogoUpload bounds the whole multipart body: the image and room for the part headers.
const maxLogoUpload = orgs.MaxLogoBytes + 16<<10

// uploadOrgLogo stores the one file of a multipart/form-data body; the image's type is decided
// from its bytes by package orgs, never from the part's Content-Type.
func (s *Server) uploadOrgLogo(w http.ResponseWriter, r *http.Request) error {
	data, err := readUploadedFile(w, r, maxLogoUpload, orgs.MaxLogoBytes)
	if err != nil {
		return err
	}
	if err := s.cfg.Orgs.SetLogo(r.Context(), callerOf(r), r.PathValue("organization_id"), data); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getOrgLogo answers the image itself. The headers keep a browser from reading it as anything
// but the image type checked on upload.
func (s *Server) getOrgLogo(w http.ResponseWriter, r *http.Request) error {
	l, err := s.cfg.Orgs.Logo(r.Context(), callerOf(r), r.PathValue("organization_id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", l.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(l.Data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(l.Data)
	return nil
}
