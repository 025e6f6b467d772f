package httpapi

import (
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Mosaic's paths under /cis/v1/applications overlap in a way http.ServeMux refuses: "PUT
// /cis/v1/applications/signing-keys/{id}" and "PUT /cis/v1/applications/{appId}/resources"
// both match /cis/v1/applications/signing-keys/resources and neither is more specific, and
// so for "DELETE .../signing-keys/{id}" and "DELETE .../{appId}/clients". Such routes are
// registered under one mux pattern per method and depth, whose segments are all wildcards,
// and dispatched here: the routes are tried in the order registered, the signing-key routes
// first, so that the literal "signing-keys" wins as ServeMux's precedence would have it (no
// application id can be "signing-keys": ids are model.NewID's). Each route is still listed
// under its own pattern, for the OpenAPI document and the tests that walk it.

// dispatchBase is the prefix under which routes may be dispatched.
const dispatchBase = "/cis/v1/applications"

// dispatcher holds the routes served by one mux pattern.
type dispatcher struct {
	routes []dispatchRoute
}

// dispatchRoute is a route's pattern split into the segments after dispatchBase, with the
// route's handler as wrap makes it.
type dispatchRoute struct {
	segs []string // a literal, or "{name}"
	h    http.Handler
}

// handleDispatched registers rt behind the dispatcher of its method and depth.
func (s *Server) handleDispatched(rt Route) {
	rest, ok := strings.CutPrefix(rt.Pattern, dispatchBase+"/")
	if !ok {
		panic("handleDispatched: " + rt.Pattern + " is not under " + dispatchBase)
	}
	segs := strings.Split(rest, "/")
	wild := make([]string, len(segs))
	for i := range segs {
		wild[i] = "{d" + strconv.Itoa(i) + "}"
	}
	pattern := rt.Method + " " + dispatchBase + "/" + strings.Join(wild, "/")
	if s.dispatch == nil {
		s.dispatch = map[string]*dispatcher{}
	}
	d := s.dispatch[pattern]
	if d == nil {
		d = &dispatcher{}
		s.dispatch[pattern] = d
		missing := s.wrap(Route{Access: Public, handle: s.unrouted})
		s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			route, values := d.find(r.URL)
			if route == nil {
				missing.ServeHTTP(w, r)
				return
			}
			for i, seg := range route.segs {
				if name, ok := wildcardName(seg); ok {
					r.SetPathValue(name, values[i])
				}
			}
			route.h.ServeHTTP(w, r)
		}))
	}
	s.routes = append(s.routes, rt)
	d.routes = append(d.routes, dispatchRoute{segs: segs, h: s.wrap(rt)})
}

// find returns the first route whose segments match the path of u, with the path's segments
// after dispatchBase, unescaped as ServeMux unescapes path values.
func (d *dispatcher) find(u *url.URL) (*dispatchRoute, []string) {
	rest, ok := strings.CutPrefix(u.EscapedPath(), dispatchBase+"/")
	if !ok {
		return nil, nil
	}
	values := strings.Split(rest, "/")
	for i, v := range values {
		plain, err := url.PathUnescape(v)
		if err != nil {
			return nil, nil
		}
		values[i] = plain
	}
	for i := range d.routes {
		rt := &d.routes[i]
		if len(rt.segs) != len(values) {
			continue
		}
		match := true
		for j, seg := range rt.segs {
			if _, wild := wildcardName(seg); !wild && seg != values[j] || values[j] == "" {
				match = false
				break
			}
		}
		if match {
			return rt, values
		}
	}
	return nil, nil
}

func wildcardName(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// serves reports whether a route serves r's method and path: the mux has a pattern for it
// other than the catch-all, and, for a dispatcher's pattern, one of its routes matches.
func (s *Server) serves(r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	if pattern == http.MethodGet+" "+orgMembersCollection {
		// Serves only .../members (handleOrgMembers).
		return path.Base(r.URL.Path) == "members"
	}
	if d := s.dispatch[pattern]; d != nil {
		route, _ := d.find(r.URL)
		return route != nil
	}
	return pattern != "" && pattern != "/"
}
