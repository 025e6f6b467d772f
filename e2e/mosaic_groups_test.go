package e2e

import (
	"net/url"
	"testing"
)

// TestMosaicGroups manages groups as a Mosaic customer's backend does, with the bodies of
// Mosaic's Groups API reference, and reads the group claims of a login's ID token.
func TestMosaicGroups(t *testing.T) {
	e := newEnv(t, envOptions{})
	res := e.mosaicForm(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret}})
	wantStatus(t, res, 200, "")
	token := res.JSON(t)["access_token"].(string)

	res = e.do("POST", "/cis/v1/groups", token, map[string]any{"name": "Editors", "description": "can edit", "custom_data": map[string]any{"floor": 3}})
	wantStatus(t, res, 201, "")
	g := result(t, res)
	wantClaims(t, "created group", g, map[string]any{"name": "Editors", "description": "can edit", "custom_data": map[string]any{"floor": 3}},
		"group_id", "created_at", "updated_at")
	id := g["group_id"].(string)

	wantStatus(t, e.do("POST", "/cis/v1/groups", token, map[string]any{"name": "Editors"}), 409, "group_already_exists")
	wantStatus(t, e.do("POST", "/cis/v1/groups", token, map[string]any{"description": "no name"}), 400, "system_invalid_input")
	wantStatus(t, e.do("GET", "/cis/v1/groups/nosuchgroup0000", token, nil), 404, "group_not_found")

	// An object field is replaced whole, never merged.
	res = e.do("PUT", "/cis/v1/groups/"+id, token, map[string]any{"custom_data": map[string]any{"wing": "east"}})
	wantStatus(t, res, 200, "")
	wantClaims(t, "updated group", result(t, res), map[string]any{"name": "Editors", "custom_data": map[string]any{"wing": "east"}})

	res = e.do("POST", "/cis/v1/users", token, map[string]any{"email": "grouped@example.com"})
	wantStatus(t, res, 201, "")
	userID := result(t, res)["user_id"].(string)
	wantStatus(t, e.do("POST", "/cis/v1/groups/"+id+"/users", token, map[string]any{"user_ids": []string{userID, "nosuchuser00000"}}), 404, "user_not_found")
	res = e.do("GET", "/cis/v1/groups/"+id+"/users", token, nil)
	wantStatus(t, res, 200, "")
	if n := len(res.JSON(t)["result"].([]any)); n != 0 {
		t.Fatalf("a refused add left %d members", n)
	}
	wantStatus(t, e.do("POST", "/cis/v1/groups/"+id+"/users", token, map[string]any{"user_ids": []string{userID}}), 204, "")

	res = e.authenticate(token, "grouped@example.com", directCode(e, token, "grouped@example.com"),
		map[string]any{"claims": map[string]any{"id_token": map[string]any{"groups": nil, "custom_group_data": nil}}})
	wantStatus(t, res, 200, "")
	claims := claimsOf(t, res.JSON(t)["id_token"].(string))
	wantClaims(t, "ID token", claims, map[string]any{"groups": []string{id}, "custom_group_data": map[string]any{id: map[string]any{"wing": "east"}}})

	wantStatus(t, e.do("DELETE", "/cis/v1/groups/"+id+"/users/"+userID, token, nil), 204, "")
	wantStatus(t, e.do("DELETE", "/cis/v1/groups/"+id+"/users/"+userID, token, nil), 404, "user_not_in_group")
	wantStatus(t, e.do("DELETE", "/cis/v1/groups/"+id, token, nil), 204, "")
	res = e.do("GET", "/cis/v1/groups", token, nil)
	wantStatus(t, res, 200, "")
	if n := len(res.JSON(t)["result"].([]any)); n != 0 {
		t.Errorf("%d groups left after the delete", n)
	}
}
