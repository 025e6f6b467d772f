package e2e

// orgIsolationCases aim A's tokens at B's organization, B's user and B's application through
// the Organizations and Members APIs. Organizations are tenant-wide: B's is simply not found,
// and B's name is free in A. An end user's token from a login outside any organization
// administers none.
func (f *isoFixture) orgIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bOrg, bName := f.seedOrg(b, "beta-org")
	aOrg, _ := f.seedOrg(a, "alpha-org")
	bPath := "/cis/v1/organizations/" + bOrg
	aPath := "/cis/v1/organizations/" + aOrg
	adminOnly := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: 403}
	}
	// members routes take a client token, or an organization administrator's token: A's user's
	// token, from a login to no organization, is neither.
	member := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status, user: 403}
	}
	apps := func(ids ...string) map[string]any { return map[string]any{"app_ids": ids} }
	bRoles := "/cis/v1/applications/" + b.AppID + "/organizations/" + bOrg + "/members/" + b.UserID + "/roles"
	aRolesForB := "/cis/v1/applications/" + a.AppID + "/organizations/" + aOrg + "/members/" + b.UserID + "/roles"
	return map[string][]isoCase{
		"POST /cis/v1/organizations": {
			{name: "B's name is free in A", do: f.call("POST", "/cis/v1/organizations", map[string]any{"name": bName, "app_ids": []string{a.AppID}}),
				admin: 201, client: 403, after: f.deleteCreated("organization_id", "/cis/v1/organizations/")},
			adminOnly("B's application", "POST", "/cis/v1/organizations", map[string]any{"name": "with B's app", "app_ids": []string{b.AppID}}, 404),
		},
		"GET /cis/v1/organizations": {
			adminOnly("list", "GET", "/cis/v1/organizations", nil, 200),
			adminOnly("B's name", "GET", "/cis/v1/organizations?name="+bName, nil, 200),
		},
		"GET /cis/v1/organizations/{organization_id}":         {adminOnly("B's organization", "GET", bPath, nil, 404)},
		"PUT /cis/v1/organizations/{organization_id}":         {adminOnly("B's organization", "PUT", bPath, map[string]any{"enabled": false}, 404)},
		"DELETE /cis/v1/organizations/{organization_id}":      {adminOnly("B's organization", "DELETE", bPath, nil, 404)},
		"GET /cis/v1/organizations/name/{organization_name}":  {adminOnly("B's name", "GET", "/cis/v1/organizations/name/"+bName, nil, 404)},
		"PUT /cis/v1/organizations/{organization_id}/apps":    {adminOnly("B's organization", "PUT", bPath+"/apps", apps(a.AppID), 404), adminOnly("B's app into A's organization", "PUT", aPath+"/apps", apps(b.AppID), 404)},
		"DELETE /cis/v1/organizations/{organization_id}/apps": {adminOnly("B's organization", "DELETE", bPath+"/apps", apps(b.AppID), 404)},
		"POST /cis/v1/organizations/{organization_id}/members": {
			member("A's user into B's organization", "POST", bPath+"/members", map[string]any{"user_id": a.UserID}, 404),
			member("B's user into A's organization", "POST", aPath+"/members", map[string]any{"user_id": b.UserID}, 404),
			member("B's email as a new member of B's organization", "POST", bPath+"/members", map[string]any{"email": b.Email}, 404),
		},
		"GET /cis/v1/organizations/{organization_id}/members": {member("B's organization", "GET", bPath+"/members", nil, 404)},
		"GET /cis/v1/organizations/{organization_id}/members/{user_id}": {
			member("B's member", "GET", bPath+"/members/"+b.UserID, nil, 404),
			member("B's user in A's organization", "GET", aPath+"/members/"+b.UserID, nil, 404),
		},
		"PUT /cis/v1/organizations/{organization_id}/members/{user_id}": {
			member("B's member", "PUT", bPath+"/members/"+b.UserID, map[string]any{"enabled": false}, 404),
			member("B's user in A's organization", "PUT", aPath+"/members/"+b.UserID, map[string]any{"enabled": false}, 404),
		},
		"DELETE /cis/v1/organizations/{organization_id}/members/{user_id}": {
			member("B's member", "DELETE", bPath+"/members/"+b.UserID, nil, 404),
			member("B's user in A's organization", "DELETE", aPath+"/members/"+b.UserID, nil, 404),
		},
		"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/members/{member_id}/roles": {
			adminOnly("B's member", "POST", bRoles, map[string]any{"role_ids": []string{}}, 404),
			adminOnly("B's user in A's organization", "POST", aRolesForB, map[string]any{"role_ids": []string{}}, 404),
		},
		"GET /cis/v1/members/{member_id}/organizations": {
			{name: "B's user", do: f.call("GET", "/cis/v1/members/"+b.UserID+"/organizations", nil), admin: 404, client: 404},
		},
	}
}

// seedOrg makes an organization of r that may use r's application, with r's user as an
// administrator member, and returns its id and name.
func (f *isoFixture) seedOrg(r *tenantRecords, name string) (string, string) {
	res := f.e.do("POST", "/cis/v1/organizations", r.admin, map[string]any{
		"name": name, "domains": []string{name + ".example"}, "app_ids": []string{r.AppID}})
	wantStatus(f.e.t, res, 201, "")
	id, _ := result(f.e.t, res)["organization_id"].(string)
	res = f.e.do("POST", "/cis/v1/organizations/"+id+"/members", r.admin, map[string]any{"user_id": r.UserID, "org_admin": true})
	wantStatus(f.e.t, res, 201, "")
	return id, name
}
