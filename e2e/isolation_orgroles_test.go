package e2e

// orgRoleIsolationCases aim A's tokens at B's organization roles and role groups (B's
// organization under B's or A's application, B's role group or role set on A's organization)
// and at B's organization's logo. Every route is the management token's: A's client token gets
// 403.
func (f *isoFixture) orgRoleIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bOrg, _ := f.seedOrg(b, "beta-org-roles")
	aOrg, _ := f.seedOrg(a, "alpha-org-roles")
	bRole := f.seedRole(b, "beta-grouped")
	res := f.e.do("POST", "/cis/v1/applications/"+b.AppID+"/role-groups", b.admin, map[string]any{"name": "beta group", "role_ids": []string{bRole}})
	wantStatus(f.e.t, res, 201, "")
	bGroup, _ := result(f.e.t, res)["group_id"].(string)
	adminOnly := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: 403}
	}
	bBase := "/cis/v1/applications/" + b.AppID + "/organizations/" + bOrg
	mixed := "/cis/v1/applications/" + a.AppID + "/organizations/" + bOrg
	aBase := "/cis/v1/applications/" + a.AppID + "/organizations/" + aOrg
	groups := map[string]any{"role_group_ids": []string{bGroup}}
	both := map[string]any{"role_ids": []string{bRole}, "role_group_ids": []string{bGroup}}
	wantStatus(f.e.t, f.e.upload("/cis/v1/organizations/"+bOrg+"/logo", b.admin, "beta.png", pngBytes(64)), 204, "")
	upload := func(bearer string) response {
		return f.e.upload("/cis/v1/organizations/"+bOrg+"/logo", bearer, "evil.png", pngBytes(8))
	}
	return map[string][]isoCase{
		"POST /cis/v1/organizations/{organization_id}/logo":      {{name: "B's organization", do: upload, admin: 404, client: 403}},
		"GET /cis/v1/organizations/{organization_id}/logo/image": {adminOnly("B's organization", "GET", "/cis/v1/organizations/"+bOrg+"/logo/image", nil, 404)},
		"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/role-groups/set": {
			adminOnly("B's organization", "POST", bBase+"/role-groups/set", groups, 404),
			adminOnly("B's organization under A's app", "POST", mixed+"/role-groups/set", map[string]any{"role_group_ids": []string{}}, 404),
			adminOnly("B's group on A's organization", "POST", aBase+"/role-groups/set", groups, 400),
		},
		"GET /cis/v1/applications/{app_id}/organizations/{organization_id}/role-groups": {
			adminOnly("B's organization", "GET", bBase+"/role-groups", nil, 404),
			adminOnly("B's organization under A's app", "GET", mixed+"/role-groups", nil, 404),
		},
		"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/roles-and-groups/set": {
			adminOnly("B's organization", "POST", bBase+"/roles-and-groups/set", both, 404),
			adminOnly("B's organization under A's app", "POST", mixed+"/roles-and-groups/set", map[string]any{}, 404),
			adminOnly("B's role and group on A's organization", "POST", aBase+"/roles-and-groups/set", both, 400),
		},
		"GET /cis/v1/applications/{app_id}/organizations/{organization_id}/roles-and-groups": {
			adminOnly("B's organization", "GET", bBase+"/roles-and-groups", nil, 404),
			adminOnly("B's organization under A's app", "GET", mixed+"/roles-and-groups", nil, 404),
		},
	}
}
