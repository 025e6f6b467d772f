package e2e

import (
	"slices"
	"testing"
)

// A tenant defines a client role of its own from the permissions, gives it to a client, and the
// client's token does what the role grants; a change of the role reaches the token already
// issued at once, and so does its deletion. The built-in roles are listed beside it and stay
// read-only; only a client holding write:client_role (or the admin token) defines roles.
func TestClientRolesOfATenant(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin, app := e.adminToken(), e.appToken()
		uid := e.createUser(app, "support@example.com")

		res := e.do("POST", "/cis/v1/client-roles", admin, map[string]any{
			"name": "Support desk", "description": "reads and edits users", "permissions": []string{"write:user", "read:user"}})
		wantStatus(t, res, 201, "")
		role := result(t, res)
		roleID := role["role_id"].(string)
		wantClaims(t, "created client role", role, map[string]any{
			"name": "Support desk", "description": "reads and edits users", "permissions": []string{"read:user", "write:user"}, "built_in": false,
		}, "role_id", "created_at", "updated_at")
		list := e.do("GET", "/cis/v1/client-roles", app, nil).JSON(t)["result"].([]any)
		var ids []string
		for _, r := range list {
			m := r.(map[string]any)
			ids = append(ids, m["role_id"].(string))
			if m["role_id"] == "tenant-admin" && m["built_in"] != true {
				t.Errorf("tenant-admin is not listed as built in: %v", m)
			}
		}
		if !slices.Contains(ids, "tenant-admin") || !slices.Contains(ids, roleID) {
			t.Errorf("client roles listed %q, want the built-in ones and %s", ids, roleID)
		}

		id, tok := e.newRoleClient(admin, roleID)
		wantClaims(t, "support client token", claimsOf(t, tok), map[string]any{
			"ts_roles": []string{roleID}, "ts_permissions": []string{"read:user", "write:user"}})
		wantStatus(t, e.do("GET", "/cis/v1/users/"+uid, tok, nil), 200, "")
		wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, tok, map[string]any{"name": map[string]any{"first_name": "Sam"}}), 200, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+uid, tok, nil), 403, "")

		// The role gains delete:user: the token issued before deletes at once.
		res = e.do("PUT", "/cis/v1/client-roles/"+roleID, admin, map[string]any{"permissions": []string{"read:user", "delete:user"}})
		wantStatus(t, res, 200, "")
		wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, tok, map[string]any{"name": map[string]any{"first_name": "Ann"}}), 403, "")
		other := e.createUser(app, "leaver@example.com")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+other, tok, nil), 204, "")

		// Deleted: the client loses it, and its token every permission it gave.
		wantStatus(t, e.do("DELETE", "/cis/v1/client-roles/"+roleID, admin, nil), 204, "")
		wantStatus(t, e.do("GET", "/cis/v1/users/"+uid, tok, nil), 403, "")
		cl := e.do("GET", "/cis/v1/applications/"+e.boot.AppID+"/clients/"+id, admin, nil)
		wantStatus(t, cl, 200, "")
		if got := jsonStrings(cl.JSON(t)["role_ids"]); len(got) != 0 {
			t.Errorf("after the role's deletion the client holds %q", got)
		}
		wantStatus(t, e.do("GET", "/cis/v1/client-roles/"+roleID, admin, nil), 404, "client_role_not_found")

		// Built-in roles are read-only; an unknown permission is refused; a client without
		// write:client_role defines nothing, while one holding tenant-admin does.
		wantStatus(t, e.do("PUT", "/cis/v1/client-roles/tenant-admin", admin, map[string]any{"permissions": []string{"read:user"}}), 409, "conflict")
		wantStatus(t, e.do("DELETE", "/cis/v1/client-roles/application", admin, nil), 409, "conflict")
		wantStatus(t, e.do("POST", "/cis/v1/client-roles", admin, map[string]any{"name": "Bad", "permissions": []string{"root"}}), 400, "")
		wantStatus(t, e.do("POST", "/cis/v1/client-roles", app, map[string]any{"name": "Mine", "permissions": []string{"read:user"}}), 403, "insufficient_permissions")
		_, ops := e.newRoleClient(admin, "tenant-admin")
		wantStatus(t, e.do("POST", "/cis/v1/client-roles", ops, map[string]any{"name": "Ops made", "permissions": []string{"read:group"}}), 201, "")
	})
}
