package e2e

import (
	"net/url"
	"slices"
	"testing"
)

// A backend written for Mosaic's Roles API: the management application creates an
// application's roles, gives one to a user, and the user's next login carries the role's id in
// both tokens and its name and permissions in the ID token when asked; a resource server
// decides from the decoded claims alone.
func TestMosaicRolesReachTokens(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin, tok := e.adminToken(), e.appToken()
	uid := e.createUser(tok, "roles@example.com")
	base := "/cis/v1/applications/" + e.boot.AppID + "/roles"

	res := e.do("POST", base, admin, map[string]any{
		"role_name": "editor", "display_name": "Editor", "description": "Edits documents",
		"permissions": []string{"documents:write", "documents:read", "documents:read"},
	})
	wantStatus(t, res, 201, "")
	editor := result(t, res)
	roleID, _ := editor["role_id"].(string)
	wantClaims(t, "created role", editor, map[string]any{
		"role_name": "editor", "display_name": "Editor", "description": "Edits documents",
		"permissions": []string{"documents:read", "documents:write"}, "app_id": e.boot.AppID,
	}, "role_id", "created_at", "updated_at")
	res = e.do("POST", base, admin, map[string]any{"role_name": "viewer", "permissions": []string{"documents:read"}})
	wantStatus(t, res, 201, "")
	viewerID, _ := result(t, res)["role_id"].(string)

	// The name is unique within the application; the role is found by id and in the list.
	wantStatus(t, e.do("POST", base, admin, map[string]any{"role_name": "editor"}), 409, "conflict")
	wantStatus(t, e.do("GET", base+"/"+roleID, admin, nil), 200, "")
	list, _ := e.do("GET", base, admin, nil).JSON(t)["result"].([]any)
	if len(list) != 2 {
		t.Fatalf("GET roles listed %d roles, want 2", len(list))
	}
	// An application's client token may not manage roles.
	wantStatus(t, e.do("POST", base, tok, map[string]any{"role_name": "sneaky"}), 403, "")

	res = e.do("POST", base+"/"+roleID+"/assignments", admin, map[string]any{"entity_ids": []string{uid}, "entity_type": "User"})
	wantStatus(t, res, 204, "")
	// Groups are not assignable yet: refused, nothing changes.
	wantStatus(t, e.do("POST", base+"/"+viewerID+"/assignments", admin, map[string]any{"entity_ids": []string{uid}, "entity_type": "Group"}), 400, "system_invalid_input")

	code := e.sendCode(tok, "roles@example.com", 0)
	res = e.authenticate(tok, "roles@example.com", code, map[string]any{
		"claims": map[string]any{"id_token": map[string]any{"roles": nil, "role_values": nil, "permissions": nil}},
	})
	wantStatus(t, res, 200, "")
	login := res.JSON(t)
	id := claimsOf(t, login["id_token"].(string))
	wantClaims(t, "ID token", id, map[string]any{
		"roles": []string{roleID}, "role_values": []string{"editor"}, "permissions": []string{"documents:read", "documents:write"},
	}, "sub", "exp")
	at := claimsOf(t, login["access_token"].(string))
	wantClaims(t, "access token", at, map[string]any{"roles": []string{roleID}}, "sub", "exp")
	// The resource server's check: a permission the role grants, and one it does not.
	perms := stringsOf(id["permissions"])
	if !slices.Contains(perms, "documents:write") || slices.Contains(perms, "documents:delete") {
		t.Errorf("permissions %v", perms)
	}

	// The role's permissions change; a refresh carries the change, and an unassignment takes
	// the role away from the next tokens.
	wantStatus(t, e.do("PUT", base+"/"+roleID, admin, map[string]any{"permissions": []string{"documents:read"}}), 202, "")
	res = e.do("GET", "/cis/v1/applications/"+e.boot.AppID+"/users/"+uid+"/roles", admin, nil)
	wantStatus(t, res, 200, "")
	wantStatus(t, e.do("DELETE", base+"/"+roleID+"/assignments/"+uid, admin, nil), 204, "")
	wantStatus(t, e.do("DELETE", base+"/"+roleID+"/assignments/"+uid, admin, nil), 404, "role_assignment_not_found")
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret},
		"refresh_token": {login["refresh_token"].(string)}}
	res = e.mosaicForm(refresh)
	wantStatus(t, res, 200, "")
	at = claimsOf(t, res.JSON(t)["access_token"].(string))
	if got := stringsOf(at["roles"]); len(got) != 0 {
		t.Errorf("after the unassignment the access token still carries roles %v", got)
	}

	wantStatus(t, e.do("DELETE", base+"/"+roleID, admin, nil), 204, "")
	wantStatus(t, e.do("GET", base+"/"+roleID, admin, nil), 404, "role_not_found")
}
