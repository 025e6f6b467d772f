package e2e

// authzBodyRoutes are the roles, groups, organizations and members routes with a JSON body.
var authzBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/applications/{app_id}/roles": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/roles" },
		fields: map[string]string{"role_name": "string", "display_name": "string", "description": "string", "permissions": "array"},
	},
	"PUT /cis/v1/applications/{app_id}/roles/{role_id}": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/roles/nosuchrole" },
		fields: map[string]string{"role_name": "string", "display_name": "string", "description": "string", "permissions": "array"},
	},
	"POST /cis/v1/applications/{app_id}/roles/{role_id}/assignments": {
		admin: true, path: func(ids badInputIDs) string {
			return "/cis/v1/applications/" + ids.app + "/roles/nosuchrole/assignments"
		},
		fields: map[string]string{"entity_ids": "array", "entity_type": "string"},
	},
	"POST /cis/v1/applications/{app_id}/role-groups": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/role-groups" },
		fields: map[string]string{"name": "string", "display_name": "string", "description": "string", "role_ids": "array"},
	},
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/role-groups/set": {
		admin: true, path: func(ids badInputIDs) string {
			return "/cis/v1/applications/" + ids.app + "/organizations/nosuchorg/role-groups/set"
		},
		fields: map[string]string{"role_group_ids": "array"},
	},
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/roles-and-groups/set": {
		admin: true, path: func(ids badInputIDs) string {
			return "/cis/v1/applications/" + ids.app + "/organizations/nosuchorg/roles-and-groups/set"
		},
		fields: map[string]string{"role_ids": "array", "role_group_ids": "array"},
	},
	"POST /cis/v1/client-roles": {
		admin: true, path: fixedPath("/cis/v1/client-roles"),
		fields: map[string]string{"name": "string", "description": "string", "permissions": "array"},
	},
	"PUT /cis/v1/client-roles/{role_id}": {
		admin: true, path: fixedPath("/cis/v1/client-roles/nosuchrole"),
		fields: map[string]string{"name": "string", "description": "string", "permissions": "array"},
	},
	"POST /cis/v1/groups": {
		path: fixedPath("/cis/v1/groups"), fields: map[string]string{"name": "string", "description": "string", "custom_data": "object"},
	},
	"PUT /cis/v1/groups/{group_id}": {
		path: fixedPath("/cis/v1/groups/nosuchgroup"), fields: map[string]string{"name": "string", "description": "string", "custom_data": "object"},
	},
	"POST /cis/v1/groups/{group_id}/users": {
		path: fixedPath("/cis/v1/groups/nosuchgroup/users"), fields: map[string]string{"user_ids": "array"},
	},
	"POST /cis/v1/organizations": {
		admin: true, path: fixedPath("/cis/v1/organizations"),
		fields: map[string]string{"name": "string", "alias_name": "string", "domain": "string", "domains": "array", "app_ids": "array", "enabled": "bool"},
	},
	"PUT /cis/v1/organizations/{organization_id}": {
		admin: true, path: fixedPath("/cis/v1/organizations/nosuchorg"),
		fields: map[string]string{"name": "string", "alias_name": "string", "domain": "string", "domains": "array", "enabled": "bool"},
	},
	"PUT /cis/v1/organizations/{organization_id}/apps": {
		admin: true, path: fixedPath("/cis/v1/organizations/nosuchorg/apps"), fields: map[string]string{"app_ids": "array"},
	},
	"POST /cis/v1/organizations/{organization_id}/members": {
		path:   fixedPath("/cis/v1/organizations/nosuchorg/members"),
		fields: map[string]string{"user_id": "string", "email": "string", "enabled": "bool", "org_admin": "bool"},
	},
	"PUT /cis/v1/organizations/{organization_id}/members/{user_id}": {
		path:   func(ids badInputIDs) string { return "/cis/v1/organizations/nosuchorg/members/" + ids.user },
		fields: map[string]string{"enabled": "bool", "org_admin": "bool"},
	},
	"POST /cis/v1/applications/{app_id}/organizations/{organization_id}/members/{member_id}/roles": {
		admin: true, path: func(ids badInputIDs) string {
			return "/cis/v1/applications/" + ids.app + "/organizations/nosuchorg/members/" + ids.user + "/roles"
		},
		fields: map[string]string{"role_ids": "array"},
	},
}
