package e2e

import (
	"slices"
	"strings"
	"testing"
)

// newRoleClient has the admin create a client of the demo application with the roles given and
// returns its id and a token for it.
func (e *env) newRoleClient(admin string, roles ...string) (string, string) {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/applications/"+e.boot.AppID+"/clients", admin,
		map[string]any{"name": "roles " + strings.Join(roles, "+"), "redirect_uris": []string{"https://demo.example/cb"}, "role_ids": roles})
	wantStatus(e.t, res, 201, "")
	body := res.JSON(e.t)
	if got := jsonStrings(body["role_ids"]); !slices.Equal(got, roles) {
		e.t.Fatalf("client created with roles %q, want %q: %s", got, roles, res.Body)
	}
	id := body["client_id"].(string)
	return id, e.clientToken(id, body["client_secret"].(string))
}

func jsonStrings(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// A client's roles decide which routes its token calls: a read-only client reads users and
// applications and is refused, with a 403 naming the missing permission, on every write; its
// token names its roles and permissions as Mosaic's does; a role taken away stops working at
// once, on the token already issued.
func TestClientRolesDecideRoutes(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		id, reader := e.newRoleClient(admin, "read-only")
		claims := claimsOf(t, reader)
		wantClaims(t, "read-only client token", claims, map[string]any{
			"ts_roles":       []string{"read-only"},
			"ts_permissions": []string{"list:app", "read:app", "read:group", "read:resource", "read:signing_key", "read:user"},
		})
		if _, ok := claims["role"]; ok {
			t.Errorf("an application client's token has the admin role claim: %v", claims["role"])
		}
		app := e.appToken()
		uid := e.createUser(app, "roles@example.com")

		// Reads are allowed, across the APIs the role covers.
		for _, path := range []string{"/cis/v1/users", "/cis/v1/users/" + uid, "/cis/v1/users/count", "/cis/v1/groups",
			"/cis/v1/applications/" + e.boot.AppID, "/cis/v1/applications", "/cis/v1/resources", "/cis/v1/applications/signing-keys"} {
			wantStatus(t, e.do("GET", path, reader, nil), 200, "")
		}
		// Writes are refused, naming the permission; nothing changes.
		for _, c := range []struct {
			method, path, permission string
			body                     any
		}{
			{"POST", "/cis/v1/users", "write:user", map[string]any{"email": "new@example.com"}},
			{"PUT", "/cis/v1/users/" + uid, "write:user", map[string]any{"name": map[string]any{"first_name": "Eve"}}},
			{"DELETE", "/cis/v1/users/" + uid, "delete:user", nil},
			{"POST", "/cis/v1/groups", "write:group", map[string]any{"name": "Readers"}},
			{"POST", "/cis/v1/auth/otp/send", "authenticate:user", map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "roles@example.com"}},
			{"PUT", "/cis/v1/applications/" + e.boot.AppID, "write:app", map[string]any{"app_name": "Renamed"}},
			{"POST", "/cis/v1/applications", "create:app", map[string]any{"app_name": "New"}},
			{"POST", "/cis/v1/resources", "write:resource", map[string]any{"uri": "https://api.roles.example"}},
		} {
			res := e.do(c.method, c.path, reader, c.body)
			if res.Status != 403 || !strings.Contains(string(res.Body), "do not grant "+c.permission) {
				t.Errorf("%s %s with a read-only token: %d %s, want 403 naming %s", c.method, c.path, res.Status, res.Body, c.permission)
			}
		}
		users := e.do("GET", "/cis/v1/users/count", admin, nil).JSON(t)
		if n, _ := users["result"].(map[string]any)["user_count"].(float64); n != 1 {
			t.Errorf("the refused writes changed the users: %v", users)
		}
		// The answer's shape is each API's own: the Users API's numeric error_code, the
		// others' insufficient_permissions.
		wantStatus(t, e.do("POST", "/cis/v1/users", reader, map[string]any{"email": "x@example.com"}), 403, "")
		wantStatus(t, e.do("POST", "/cis/v1/groups", reader, map[string]any{"name": "G"}), 403, "insufficient_permissions")

		// The admin takes the role away: the token issued before stops reading at once.
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+id, admin, map[string]any{"role_ids": []string{}}), 200, "")
		wantStatus(t, e.do("GET", "/cis/v1/groups", reader, nil), 403, "insufficient_permissions")
		// Admin routes stay the admin token's whatever the roles.
		_, ops := e.newRoleClient(admin, "tenant-admin")
		wantStatus(t, e.do("GET", "/cis/v1/audit", ops, nil), 403, "forbidden")
		wantStatus(t, e.do("GET", "/cis/v1/applications/"+e.boot.AppID+"/roles", ops, nil), 403, "forbidden")
	})
}

// A client whose role grants the tenant-wide permissions runs the Applications operations
// Mosaic gives client tokens: applications, resources and signing keys. It cannot give roles
// beyond its own, take over a client holding more, or touch a management application.
func TestClientRolesTenantWideAndNoEscalation(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		opsID, ops := e.newRoleClient(admin, "tenant-admin")

		res := e.do("POST", "/cis/v1/applications", ops, map[string]any{"app_name": "Made by ops", "redirect_uris": []string{"https://made.example/cb"}})
		wantStatus(t, res, 201, "")
		made := res.JSON(t)["result"].(map[string]any)
		wantStatus(t, e.do("GET", "/cis/v1/applications", ops, nil), 200, "")
		res = e.do("POST", "/cis/v1/resources", ops, map[string]any{"uri": "https://api.ops.example", "name": "Ops"})
		wantStatus(t, res, 201, "")
		resID := res.JSON(t)["result"].(map[string]any)["resource_id"]
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+opsID+"/resources", ops,
			map[string]any{"resource_ids": []any{resID}}), 200, "")
		res = e.do("POST", "/cis/v1/applications/signing-keys", ops, map[string]any{"name": "ops key"})
		wantStatus(t, res, 201, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+made["app_id"].(string), ops, nil), 204, "")

		// The management application is the admin token's: not to be deleted or made.
		mgmt, err := e.tenancy.GetClient(t.Context(), e.boot.AdminClientID)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+mgmt.AppID, ops, nil), 403, "insufficient_permissions")
		wantStatus(t, e.do("POST", "/cis/v1/applications", ops, map[string]any{"app_name": "Backdoor", "kind": "management"}), 403, "insufficient_permissions")
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+mgmt.AppID+"/clients/"+mgmt.ID, admin, map[string]any{"role_ids": []string{"read-only"}}), 400, "system_invalid_input")

		// The demo application's own client (the default role) cannot raise itself or another
		// client, nor take over the tenant-admin client.
		app := e.appToken()
		base := "/cis/v1/applications/" + e.boot.AppID + "/clients/"
		wantStatus(t, e.do("PUT", base+e.boot.ClientID, app, map[string]any{"role_ids": []string{"tenant-admin"}}), 403, "insufficient_permissions")
		wantStatus(t, e.do("POST", base[:len(base)-1], app, map[string]any{"name": "x", "role_ids": []string{"tenant-admin"}}), 403, "insufficient_permissions")
		wantStatus(t, e.do("POST", base+opsID+"/secret", app, nil), 403, "insufficient_permissions")
		wantStatus(t, e.do("DELETE", base+opsID, app, nil), 403, "insufficient_permissions")
		wantStatus(t, e.do("PUT", base+e.boot.ClientID, app, map[string]any{"role_ids": []string{"superuser"}}), 400, "system_invalid_input")
		wantStatus(t, e.do("GET", "/cis/v1/resources", ops, nil), 200, "") // the refusals left ops working
		// Within its own permissions it gives roles freely.
		res = e.do("POST", base[:len(base)-1], app, map[string]any{"name": "login only", "role_ids": []string{"authentication"}})
		wantStatus(t, res, 201, "")
	})
}
