package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

// TestErrorShapeFollowsTheFamily writes the same faults for a route of each family and checks
// the bodies: string codes for the backend-authentication API, the status as a number, a
// list of messages on 400 and ts_error_code on 409 for the Users and Applications APIs.
func TestErrorShapeFollowsTheFamily(t *testing.T) {
	invalid := fault.Validation("email: is empty", "birthday: is in the future")
	one := fault.Validation("page_limit: must be a whole number")
	missing := fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	taken := fault.New(fault.Conflict, fault.CodeUserExists, "another user already has this email")
	appMissing := fault.New(fault.NotFound, "app_not_found", "application not found")
	uriTaken := fault.New(fault.Conflict, "conflict", "a resource already has this URI")
	cases := []struct {
		family Family
		err    error
		status int
		want   map[string]any
	}{
		{FamilyAuth, invalid, 400, map[string]any{"message": []any{"email: is empty", "birthday: is in the future"}, "error_code": "system_invalid_input"}},
		{FamilyAuth, one, 400, map[string]any{"message": "page_limit: must be a whole number", "error_code": "system_invalid_input"}},
		{FamilyAuth, missing, 404, map[string]any{"message": "user not found", "error_code": "user_not_found"}},
		{FamilyAuth, taken, 409, map[string]any{"message": "another user already has this email", "error_code": "user_already_exists"}},
		{FamilyUsers, invalid, 400, map[string]any{"message": []any{"email: is empty", "birthday: is in the future"}, "error_code": 400.0}},
		{FamilyUsers, one, 400, map[string]any{"message": []any{"page_limit: must be a whole number"}, "error_code": 400.0}},
		{FamilyUsers, missing, 404, map[string]any{"message": "user not found", "error_code": 404.0}},
		{FamilyUsers, taken, 409, map[string]any{"message": "another user already has this email", "error_code": 409.0,
			"ts_error_code": "user_already_exists"}},
		{FamilyUsers, errAdminRequired, 403, map[string]any{"message": errAdminRequired.Message, "error_code": 403.0}},
		{FamilyApplications, invalid, 400, map[string]any{"message": []any{"email: is empty", "birthday: is in the future"}, "error_code": 400.0}},
		{FamilyApplications, one, 400, map[string]any{"message": []any{"page_limit: must be a whole number"}, "error_code": 400.0}},
		{FamilyApplications, appMissing, 404, map[string]any{"message": "application not found", "error_code": 404.0}},
		{FamilyApplications, uriTaken, 409, map[string]any{"message": "a resource already has this URI", "error_code": 409.0,
			"ts_error_code": "conflict"}},
		{FamilyApplications, errAdminRequired, 403, map[string]any{"message": errAdminRequired.Message, "error_code": 403.0}},
		{FamilyApplications, fault.New(fault.Unauthenticated, fault.CodeUnauthorized, "no token"), 401,
			map[string]any{"message": "no token", "error_code": 401.0}},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		req := withFamily(httptest.NewRequest(http.MethodGet, "/cis/v1/users", nil), c.family)
		writeError(rec, req, c.err)
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("family %d: body is not JSON: %s", c.family, rec.Body)
		}
		if rec.Code != c.status || !reflect.DeepEqual(got, c.want) {
			t.Errorf("family %d, %v: got %d %v, want %d %v", c.family, c.err, rec.Code, got, c.status, c.want)
		}
	}
}

// TestUnauthenticatedUsersCallHasTheUsersShape checks that the token check of the route
// wrapper, which runs before any handler, answers in the route's family too.
func TestUnauthenticatedUsersCallHasTheUsersShape(t *testing.T) {
	s := New(Config{})
	for path, want := range map[string]any{"/cis/v1/users/count": 401.0, "/cis/v1/auth/otp/send": "unauthorized"} {
		method := http.MethodGet
		if path == "/cis/v1/auth/otp/send" {
			method = http.MethodPost
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		var got map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		if rec.Code != 401 || got["error_code"] != want || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a token: %d %s, want 401 with error_code %v and a challenge", path, rec.Code, rec.Body, want)
		}
	}
}
