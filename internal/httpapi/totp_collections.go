package httpapi

import (
	"net/http"
	"path"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
)

// userCollectionPattern is the one mux pattern behind every GET /cis/v1/users/{user_id}/<name>
// route.
const userCollectionPattern = "GET /cis/v1/users/{user_id}/{collection}"

// handleUserCollections registers GET routes of the form /cis/v1/users/{user_id}/<name>.
// http.ServeMux refuses "GET /cis/v1/users/{user_id}/totp" beside the lookup
// "GET /cis/v1/users/email/{email}": each matches a path the other does not, and both match
// "/cis/v1/users/email/totp", so neither is more specific. The lookups do outrank
// "GET /cis/v1/users/{user_id}/{collection}", so that single pattern serves these routes and
// dispatches on the last segment. Each route is still listed under its own pattern.
//
// It may be called by several route groups; the pattern is registered once.
func (s *Server) handleUserCollections(routes ...Route) {
	if s.collections == nil {
		s.collections = map[string]http.Handler{}
		missing := s.wrap(Route{Access: Public, handle: s.noUserCollection})
		s.mux.Handle(userCollectionPattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h, ok := s.collections[r.PathValue("collection")]; ok {
				h.ServeHTTP(w, r)
				return
			}
			missing.ServeHTTP(w, r)
		}))
	}
	for _, rt := range routes {
		s.routes = append(s.routes, rt)
		s.collections[path.Base(rt.Pattern)] = s.wrap(rt)
	}
}

// noUserCollection answers a GET that only the collection pattern matched, as unrouted would
// without it: 405 naming the methods the path has, else 404.
func (s *Server) noUserCollection(w http.ResponseWriter, r *http.Request) error {
	var allowed []string
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return errNotFound
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	return fault.New(fault.MethodNotAllowed, "method_not_allowed", "method %s is not allowed here; use %s", r.Method, strings.Join(allowed, " or "))
}
