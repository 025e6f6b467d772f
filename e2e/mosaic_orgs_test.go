package e2e

import (
	"net/url"
	"testing"
)

// TestMosaicOrganizations runs a Mosaic B2B integration: the management application creates an
// organization for the demo application with member roles, adds members, and the backend logs
// them in to the organization with org_id; the tokens name it and carry the member's roles.
// A member marked org_admin manages the members with the access token of their organization
// login; disabling a member, or taking the application from the organization, ends its logins.
func TestMosaicOrganizations(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin, app := e.adminToken(), e.appToken()
	appID := e.boot.AppID

	res := e.do("POST", "/cis/v1/applications/"+appID+"/roles", admin, map[string]any{"role_name": "booker", "permissions": []string{"bookings:write"}})
	wantStatus(t, res, 201, "")
	booker := result(t, res)["role_id"].(string)

	res = e.do("POST", "/cis/v1/organizations", admin, map[string]any{
		"name": "Travel Co", "domain": "travel.example", "domains": []string{"Travel.example", "trips.example"}, "app_ids": []string{appID}})
	wantStatus(t, res, 201, "")
	org := result(t, res)
	wantClaims(t, "created organization", org, map[string]any{"name": "Travel Co", "enabled": true, "app_ids": []string{appID},
		"domains": []string{"travel.example", "trips.example"}, "domain": "travel.example"}, "organization_id", "created_at")
	orgID := org["organization_id"].(string)
	orgPath := "/cis/v1/organizations/" + orgID
	wantStatus(t, e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "Travel Co"}), 409, "organization_already_exists")
	wantStatus(t, e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "x", "domains": []string{"not a domain"}}), 400, "")
	wantStatus(t, e.do("POST", "/cis/v1/organizations", app, map[string]any{"name": "by an app"}), 403, "")
	res = e.do("GET", "/cis/v1/organizations/name/Travel%20Co", admin, nil)
	wantStatus(t, res, 200, "")
	if result(t, res)["organization_id"] != orgID {
		t.Errorf("by name: %s", res.Body)
	}

	// Members: a new user made by the member creation, and an existing user.
	res = e.do("POST", orgPath+"/members", app, map[string]any{"email": "ann@travel.example", "org_admin": true})
	wantStatus(t, res, 201, "")
	wantClaims(t, "new member", result(t, res), map[string]any{"organization_id": orgID, "enabled": true, "org_admin": true}, "user_id")
	ann := result(t, res)["user_id"].(string)
	bob := e.createUser(app, "bob@travel.example")
	wantStatus(t, e.do("POST", orgPath+"/members", app, map[string]any{"user_id": bob}), 201, "")
	wantStatus(t, e.do("POST", orgPath+"/members", app, map[string]any{"user_id": bob}), 409, "member_already_exists")
	stranger := e.createUser(app, "stranger@example.com")

	rolesPath := "/cis/v1/applications/" + appID + "/organizations/" + orgID + "/members/" + bob + "/roles"
	wantStatus(t, e.do("POST", rolesPath, admin, map[string]any{"role_ids": []string{"nosuchrole000000"}}), 404, "")
	wantStatus(t, e.do("POST", rolesPath, admin, map[string]any{"role_ids": []string{booker}}), 204, "")
	res = e.do("GET", "/cis/v1/members/"+bob+"/organizations", app, nil)
	wantStatus(t, res, 200, "")
	wantClaims(t, "memberships", result(t, res), map[string]any{orgID: map[string]any{appID: []string{booker}}})

	// A login to the organization: organization in the ID token, the member's roles in both.
	claims := map[string]any{"id_token": map[string]any{"role_values": nil}, "access_token": map[string]any{"org_id": nil}}
	res = e.authenticate(app, "bob@travel.example", directCode(e, app, "bob@travel.example"), map[string]any{"org_id": orgID, "claims": claims})
	wantStatus(t, res, 200, "")
	login := res.JSON(t)
	wantClaims(t, "ID token", claimsOf(t, login["id_token"].(string)), map[string]any{"organization": orgID, "role_values": []string{"booker"}})
	wantClaims(t, "access token", claimsOf(t, login["access_token"].(string)), map[string]any{"org_id": orgID, "roles": []string{booker}})
	// The same user outside the organization has no roles: the member's are the organization's.
	res = e.authenticate(app, "bob@travel.example", directCode(e, app, "bob@travel.example"), nil)
	wantStatus(t, res, 200, "")
	if id := claimsOf(t, res.JSON(t)["id_token"].(string)); id["organization"] != nil {
		t.Errorf("a login without org_id names an organization: %v", id)
	}

	// Refused: a user who is not a member, an organization that does not exist, another
	// organization's id with the session of this one. A refused code stays usable.
	code := directCode(e, app, "stranger@example.com")
	wantStatus(t, e.authenticate(app, "stranger@example.com", code, map[string]any{"org_id": orgID}), 403, "not_organization_member")
	wantStatus(t, e.authenticate(app, "stranger@example.com", code, nil), 200, "")
	wantStatus(t, e.authenticate(app, "bob@travel.example", directCode(e, app, "bob@travel.example"),
		map[string]any{"org_id": "nosuchorg0000000"}), 403, "not_organization_member")
	wantStatus(t, e.authenticate(app, "bob@travel.example", directCode(e, app, "bob@travel.example"),
		map[string]any{"org_id": stranger, "session_id": login["session_id"]}), 400, "organization_mismatch")

	// The organization administrator's token manages this organization's members, and no more.
	res = e.authenticate(app, "ann@travel.example", directCode(e, app, "ann@travel.example"), map[string]any{"org_id": orgID})
	wantStatus(t, res, 200, "")
	annToken := res.JSON(t)["access_token"].(string)
	res = e.do("GET", orgPath+"/members", annToken, nil)
	wantStatus(t, res, 200, "")
	if n := len(res.JSON(t)["result"].([]any)); n != 2 {
		t.Errorf("members: %s", res.Body)
	}
	res = e.do("POST", orgPath+"/members", annToken, map[string]any{"email": "cid@travel.example"})
	wantStatus(t, res, 201, "")
	cid := result(t, res)["user_id"].(string)
	wantStatus(t, e.do("GET", orgPath+"/members/"+cid, annToken, nil), 200, "")
	wantStatus(t, e.do("GET", orgPath, annToken, nil), 401, "")                                  // the Organizations API takes the management token
	wantStatus(t, e.do("GET", orgPath+"/members", login["access_token"].(string), nil), 403, "") // bob is no administrator
	res = e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "Other Co", "app_ids": []string{appID}})
	wantStatus(t, res, 201, "")
	other := result(t, res)["organization_id"].(string)
	wantStatus(t, e.do("GET", "/cis/v1/organizations/"+other+"/members", annToken, nil), 403, "")
	// Another application's client does not see an organization that cannot use it.
	_, otherApp := e.otherSite()
	wantStatus(t, e.do("GET", orgPath+"/members", otherApp, nil), 404, "")

	// Disabling a member ends their logins and their refreshes; it also ends an
	// administrator's rights at once.
	wantStatus(t, e.do("PUT", orgPath+"/members/"+bob, annToken, map[string]any{"enabled": false}), 200, "")
	wantStatus(t, e.authenticate(app, "bob@travel.example", directCode(e, app, "bob@travel.example"), map[string]any{"org_id": orgID}), 403, "not_organization_member")
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.boot.ClientID}, "client_secret": {e.boot.ClientSecret},
		"refresh_token": {login["refresh_token"].(string)}}
	if res = e.mosaicForm(refresh); res.Status != 400 || res.JSON(t)["error"] != "invalid_grant" {
		t.Errorf("a disabled member's organization session refreshed: %d %s", res.Status, res.Body)
	}
	wantStatus(t, e.do("PUT", orgPath+"/members/"+ann, admin, map[string]any{"org_admin": false}), 200, "")
	wantStatus(t, e.do("GET", orgPath+"/members", annToken, nil), 403, "")

	// An organization that can no longer use the application: its logins are refused.
	wantStatus(t, e.do("DELETE", orgPath+"/apps", admin, map[string]any{"app_ids": []string{appID}}), 204, "")
	wantStatus(t, e.authenticate(app, "ann@travel.example", directCode(e, app, "ann@travel.example"), map[string]any{"org_id": orgID}), 403, "application_not_in_organization")
	wantStatus(t, e.do("PUT", orgPath+"/apps", admin, map[string]any{"app_ids": []string{appID}}), 204, "")
	wantStatus(t, e.authenticate(app, "ann@travel.example", directCode(e, app, "ann@travel.example"), map[string]any{"org_id": orgID}), 200, "")

	wantStatus(t, e.do("DELETE", orgPath+"/members/"+cid, admin, nil), 204, "")
	wantStatus(t, e.do("DELETE", orgPath, admin, nil), 204, "")
	wantStatus(t, e.authenticate(app, "ann@travel.example", directCode(e, app, "ann@travel.example"), map[string]any{"org_id": orgID}), 403, "not_organization_member")
}
