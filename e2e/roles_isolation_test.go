package e2e

// roleIsolationCases aim tenant A's tokens at tenant B's roles: B's application, B's role under
// B's and under A's application, B's user given A's role. Every route is the management
// application's: A's client token gets 403, A's admin token finds nothing of B's.
func (f *isoFixture) roleIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bRole := f.seedRole(b, "beta-role")
	aRole := f.seedRole(a, "alpha-role")
	adminOnly := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: 403}
	}
	bApp := "/cis/v1/applications/" + b.AppID + "/roles"
	aApp := "/cis/v1/applications/" + a.AppID + "/roles"
	input := map[string]any{"role_name": "hijack", "permissions": []string{"all"}}
	assignB := map[string]any{"entity_ids": []string{b.UserID}, "entity_type": "User"}
	return map[string][]isoCase{
		"POST /cis/v1/applications/{app_id}/roles": {adminOnly("B's app", "POST", bApp, input, 404)},
		"GET /cis/v1/applications/{app_id}/roles":  {adminOnly("B's app", "GET", bApp, nil, 404)},
		"GET /cis/v1/applications/{app_id}/roles/{role_id}": {
			adminOnly("B's role", "GET", bApp+"/"+bRole, nil, 404), adminOnly("B's role under A's app", "GET", aApp+"/"+bRole, nil, 404),
		},
		"PUT /cis/v1/applications/{app_id}/roles/{role_id}": {
			adminOnly("B's role", "PUT", bApp+"/"+bRole, input, 404), adminOnly("B's role under A's app", "PUT", aApp+"/"+bRole, input, 404),
		},
		"DELETE /cis/v1/applications/{app_id}/roles/{role_id}": {
			adminOnly("B's role", "DELETE", bApp+"/"+bRole, nil, 404), adminOnly("B's role under A's app", "DELETE", aApp+"/"+bRole, nil, 404),
		},
		"POST /cis/v1/applications/{app_id}/roles/{role_id}/assignments": {
			adminOnly("B's role", "POST", bApp+"/"+bRole+"/assignments", assignB, 404),
			adminOnly("B's user given A's role", "POST", aApp+"/"+aRole+"/assignments", assignB, 404),
		},
		"DELETE /cis/v1/applications/{app_id}/roles/{role_id}/assignments/{entity_id}": {
			adminOnly("B's assignment", "DELETE", bApp+"/"+bRole+"/assignments/"+b.UserID, nil, 404),
			adminOnly("B's user under A's role", "DELETE", aApp+"/"+aRole+"/assignments/"+b.UserID, nil, 404),
		},
		"POST /cis/v1/applications/{app_id}/role-groups": {
			adminOnly("B's app", "POST", "/cis/v1/applications/"+b.AppID+"/role-groups", map[string]any{"name": "hijack", "role_ids": []string{bRole}}, 404),
			adminOnly("B's role in A's app", "POST", "/cis/v1/applications/"+a.AppID+"/role-groups", map[string]any{"name": "hijack", "role_ids": []string{bRole}}, 400),
		},
		"GET /cis/v1/applications/{app_id}/role-groups": {
			adminOnly("B's app", "GET", "/cis/v1/applications/"+b.AppID+"/role-groups", nil, 404),
		},
		"GET /cis/v1/applications/{app_id}/users/{user_id}/roles": {
			adminOnly("B's user in B's app", "GET", "/cis/v1/applications/"+b.AppID+"/users/"+b.UserID+"/roles", nil, 404),
			adminOnly("B's user in A's app", "GET", "/cis/v1/applications/"+a.AppID+"/users/"+b.UserID+"/roles", nil, 404),
		},
	}
}

// seedRole creates a role in the tenant's application with its admin token, gives it to the
// tenant's user and returns its id.
func (f *isoFixture) seedRole(r *tenantRecords, name string) string {
	res := f.e.do("POST", "/cis/v1/applications/"+r.AppID+"/roles", r.admin, map[string]any{"role_name": name, "permissions": []string{"read"}})
	wantStatus(f.e.t, res, 201, "")
	id, _ := result(f.e.t, res)["role_id"].(string)
	res = f.e.do("POST", "/cis/v1/applications/"+r.AppID+"/roles/"+id+"/assignments", r.admin,
		map[string]any{"entity_ids": []string{r.UserID}, "entity_type": "User"})
	wantStatus(f.e.t, res, 204, "")
	return id
}
