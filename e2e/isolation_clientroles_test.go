package e2e

import (
	"strings"
	"testing"
)

// clientRoleIsolationCases aim A's tokens at B's own client role: unknown to A by id, absent
// from A's list, its name free in A. A's application client reads client roles (read:app) but
// does not define them (write:client_role). That B's role cannot be given to A's clients is
// TestClientRolesOfATenant's.
func (f *isoFixture) clientRoleIsolationCases() map[string][]isoCase {
	b := f.b
	res := f.e.do("POST", "/cis/v1/client-roles", b.admin, map[string]any{"name": "beta support", "permissions": []string{"read:user"}})
	wantStatus(f.e.t, res, 201, "")
	bRole, _ := result(f.e.t, res)["role_id"].(string)
	path := "/cis/v1/client-roles/" + bRole
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status, clientCode: map[int]string{404: "client_role_not_found"}[status]}
	}
	notListed := func(t *testing.T, res response) {
		t.Helper()
		if strings.Contains(string(res.Body), bRole) {
			t.Errorf("A's list of client roles names B's: %s", res.Body)
		}
	}
	return map[string][]isoCase{
		"GET /cis/v1/client-roles": {{name: "list", do: f.call("GET", "/cis/v1/client-roles", nil), admin: 200, client: 200, after: notListed}},
		"POST /cis/v1/client-roles": {{
			name: "B's role name is free in A", do: f.call("POST", "/cis/v1/client-roles", map[string]any{"name": "beta support", "permissions": []string{"read:user"}}),
			admin: 201, client: 403, after: f.deleteCreated("role_id", "/cis/v1/client-roles/"),
		}},
		"GET /cis/v1/client-roles/{role_id}": {same("B's role", "GET", path, nil, 404)},
		"PUT /cis/v1/client-roles/{role_id}": {{name: "B's role", do: f.call("PUT", path, map[string]any{"permissions": []string{"read:user", "write:user"}}),
			admin: 404, client: 403}},
		"DELETE /cis/v1/client-roles/{role_id}": {{name: "B's role", do: f.call("DELETE", path, nil), admin: 404, client: 403}},
	}
}
