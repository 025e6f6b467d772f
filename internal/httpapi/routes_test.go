package httpapi

import (
	"net/http/httptest"
	"path"
	"strings"
	"testing"
)

// TestLiteralSegmentsBeatWildcards sends, for every route, a request to the route's own path
// (each wildcard filled with a value no route spells) and checks that the router hands it to
// that route: a literal segment such as count in /cis/v1/users/count must win over the
// {user_id} of /cis/v1/users/{user_id}, and no route may be unreachable behind another.
func TestLiteralSegmentsBeatWildcards(t *testing.T) {
	s := New(Config{})
	literals := map[string]bool{}
	for _, rt := range s.Routes() {
		for _, seg := range strings.Split(rt.Pattern, "/") {
			literals[seg] = true
		}
	}
	for _, rt := range s.Routes() {
		p := wildcard.ReplaceAllStringFunc(rt.Pattern, func(w string) string {
			v := "v-" + strings.Trim(w, "{}.")
			if literals[v] {
				t.Fatalf("the filler %q is a literal segment of some route", v)
			}
			return v
		})
		req := httptest.NewRequest(rt.Method, p, nil)
		_, got := s.mux.Handler(req)
		want := rt.Method + " " + rt.Pattern
		if got == userCollectionPattern && s.collections[path.Base(rt.Pattern)] != nil {
			continue // served by the collection dispatcher under its own name
		}
		if got == "GET "+orgMembersCollection && rt.Pattern == "/cis/v1/organizations/{organization_id}/members" {
			continue // served under the collection pattern, which checks the name (handleOrgMembers)
		}
		if d := s.dispatch[got]; d != nil {
			// Served by the applications dispatcher, which must find this very route.
			if route, _ := d.find(req.URL); route == nil || strings.Join(route.segs, "/") != strings.TrimPrefix(rt.Pattern, dispatchBase+"/") {
				t.Errorf("%s %s: the dispatcher under %q does not serve its route %q", rt.Method, p, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s %s is routed to %q, not to its route %q", rt.Method, p, got, want)
		}
	}
}

// TestApplicationsRoutesAreOfTheApplicationsFamily checks that the Applications API's routes
// (applications, clients, resources, login preferences, signing keys) answer errors in that
// API's shape, and no other route does. The roles, role groups and a user's roles, which live under
// /cis/v1/applications too, are APIs of their own.
func TestApplicationsRoutesAreOfTheApplicationsFamily(t *testing.T) {
	apps := 0
	for _, rt := range New(Config{}).Routes() {
		p := rt.Pattern
		under := (strings.HasPrefix(p, "/cis/v1/applications") && !strings.Contains(p, "/role") && !strings.Contains(p, "/users/")) ||
			strings.HasPrefix(p, "/cis/v1/resources") || strings.HasPrefix(p, "/cis/loginPreferences/")
		switch {
		case under && rt.Family != FamilyApplications:
			t.Errorf("%s %s is an Applications API route but not of its family", rt.Method, p)
		case !under && rt.Family == FamilyApplications:
			t.Errorf("%s %s is of the applications family but not an Applications API route", rt.Method, p)
		case under:
			apps++
		}
	}
	if apps < 25 {
		t.Errorf("only %d routes are of the applications family", apps)
	}
}

// TestUsersRoutesAreOfTheUsersFamily checks that the users API's routes, and only they among
// the routes under /cis/v1/users, answer errors in the Users API's shape; so do the
// Organizations and Members APIs, whose errors Mosaic writes in the same shape.
func TestUsersRoutesAreOfTheUsersFamily(t *testing.T) {
	users := 0
	for _, rt := range New(Config{}).Routes() {
		under := strings.HasPrefix(rt.Pattern, "/cis/v1/users") || strings.HasPrefix(rt.Pattern, "/cis/v1/manage/users/{user_id}") ||
			strings.HasPrefix(rt.Pattern, "/cis/v1/organizations") || strings.HasPrefix(rt.Pattern, "/cis/v1/members/") ||
			strings.Contains(rt.Pattern, "/organizations/{organization_id}/")
		switch {
		case rt.Family == FamilyUsers && !under:
			t.Errorf("%s %s is of the users family but not under /cis/v1/users", rt.Method, rt.Pattern)
		case rt.Family == FamilyUsers:
			users++
		}
	}
	if users < 20 {
		t.Errorf("only %d routes are of the users family", users)
	}
}

// TestOrgMembersCollectionServesOnlyMembers checks the pattern GET .../members is served under
// (orgMembersCollection): another name under an organization is not a GET route, and a path
// whose other methods exist answers 405 naming them, not GET.
func TestOrgMembersCollectionServesOnlyMembers(t *testing.T) {
	s := New(Config{})
	for path, want := range map[string]string{
		"/cis/v1/organizations/o1/members": "GET",
		"/cis/v1/organizations/o1/apps":    "",
		"/cis/v1/organizations/o1/nothing": "",
	} {
		got := s.serves(httptest.NewRequest("GET", path, nil))
		if got != (want == "GET") {
			t.Errorf("GET %s served: %v", path, got)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/cis/v1/organizations/o1/apps", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "PUT, DELETE" {
		t.Errorf("GET .../apps: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}
