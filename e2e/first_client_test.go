package e2e

import (
	"testing"
)

// A Mosaic integration creating an application names its first client's roles in
// first_client.role_ids: the client made holds them, and its token says so. An unknown role is
// a 400 naming the field, and no application is made.
func TestFirstClientRoles(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		res := e.do("POST", "/cis/v1/applications", admin, map[string]any{
			"app_name": "Reporting", "redirect_uris": []string{"https://reports.example/cb"},
			"first_client": map[string]any{"role_ids": []string{"read-only"}, "name": "reports backend"},
		})
		wantStatus(t, res, 201, "")
		made := res.JSON(t)["result"].(map[string]any)
		tok := e.clientToken(made["client_id"].(string), made["client_secret"].(string))
		wantClaims(t, "first client token", claimsOf(t, tok), map[string]any{"ts_roles": []string{"read-only"}})
		wantStatus(t, e.do("GET", "/cis/v1/users", tok, nil), 200, "")
		wantStatus(t, e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "no@example.com"}), 403, "")

		count := func() int {
			list := e.do("GET", "/cis/v1/applications", admin, nil).JSON(t)["result"].([]any)
			return len(list)
		}
		n := count()
		res = e.do("POST", "/cis/v1/applications", admin, map[string]any{
			"app_name": "Typo", "first_client": map[string]any{"role_ids": []string{"read-olny"}}})
		wantStatus(t, res, 400, "first_client.role_ids")
		if count() != n {
			t.Errorf("a refused first_client made an application")
		}
	})
}
