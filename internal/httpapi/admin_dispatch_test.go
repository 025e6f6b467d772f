package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The routes that http.ServeMux cannot hold side by side are told apart by the dispatcher:
// each request reaches the route its path names, with its path parameters, and paths no
// route serves answer 404 or 405 as unrouted ones do.
func TestDispatchedRoutes(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.clientToken(t, f.boot.AdminClientID, f.boot.AdminClientSecret)
	app := "/cis/v1/applications/" + f.boot.AppID

	// A signing key whose id is "resources" or "clients" is a key, not an application's.
	for _, m := range []string{http.MethodPut, http.MethodDelete} {
		for _, id := range []string{"resources", "clients", "nosuchkey"} {
			status, body := f.call(t, m, "/cis/v1/applications/signing-keys/"+id, admin, map[string]any{"name": "x"})
			if status != http.StatusNotFound || body["message"] != "signing key not found" {
				t.Errorf("%s signing-keys/%s: status %d, body %v; want the key route's 404", m, id, status, body)
			}
		}
	}
	// The application routes get the application's id.
	status, body := f.call(t, http.MethodPut, app+"/resources", admin, map[string]any{"resource_ids": []string{}})
	if res, _ := body["result"].(map[string]any); status != http.StatusOK || res["app_id"] != f.boot.AppID {
		t.Errorf("PUT %s/resources: status %d, body %v", app, status, body)
	}
	status, body = f.call(t, http.MethodDelete, "/cis/v1/applications/nosuchapp/clients", admin, nil)
	if status != http.StatusNotFound || body["error_code"] != 404.0 || body["message"] != "application not found" {
		t.Errorf("DELETE clients of an unknown application: status %d, body %v", status, body)
	}

	// Paths the dispatcher's patterns match but no route serves.
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, app + "/clients", "GET, POST, DELETE"},
		{http.MethodDelete, app + "/resources", "PUT"},
		{http.MethodGet, "/cis/v1/applications/signing-keys/abc", "PUT, DELETE"},
		{http.MethodPost, "/cis/v1/applications/signing-keys/abc", "PUT, DELETE"},
		{http.MethodPut, app + "/nothing", ""},
		{http.MethodDelete, app + "/nothing", ""},
		{http.MethodGet, app + "/nothing", ""},
	} {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		want := http.StatusMethodNotAllowed
		if c.allow == "" {
			want = http.StatusNotFound
		}
		if rec.Code != want || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: status %d, Allow %q; want %d, Allow %q", c.method, c.path, rec.Code, rec.Header().Get("Allow"), want, c.allow)
		}
	}
}
