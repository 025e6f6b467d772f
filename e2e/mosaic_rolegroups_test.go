package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A backend written for Mosaic's role groups: the management application bundles an
// application's roles into a group and lists the groups with their roles. A role of another
// application, or none at all, is refused with nothing made; a taken name is a conflict; a
// role deleted later drops out of its groups; a group grants its roles to nobody.
func TestMosaicRoleGroups(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin, tok := e.adminToken(), e.appToken()
		roles := "/cis/v1/applications/" + e.boot.AppID + "/roles"
		base := "/cis/v1/applications/" + e.boot.AppID + "/role-groups"
		newRole := func(name string) string {
			res := e.do("POST", roles, admin, map[string]any{"role_name": name, "permissions": []string{name + ":read"}})
			wantStatus(t, res, 201, "")
			return result(t, res)["role_id"].(string)
		}
		viewer, editor, auditor := newRole("viewer"), newRole("editor"), newRole("auditor")

		res := e.do("POST", base, admin, map[string]any{
			"name": "Staff", "display_name": "Staff roles", "description": "What staff may be given",
			"role_ids": []string{editor, viewer, editor},
		})
		wantStatus(t, res, 201, "")
		staff := result(t, res)
		wantClaims(t, "created role group", staff, map[string]any{
			"name": "Staff", "display_name": "Staff roles", "description": "What staff may be given",
			"app_id": e.boot.AppID, "role_ids": []string{editor, viewer},
		}, "group_id", "roles", "created_at", "updated_at")
		if names := roleNames(staff["roles"]); !slices.Equal(names, []string{"editor", "viewer"}) {
			t.Errorf("the group's roles are %q, want editor then viewer", names)
		}

		// Refusals change nothing.
		other := e.do("POST", "/cis/v1/applications", admin, map[string]any{"app_name": "Other"})
		wantStatus(t, other, 201, "")
		otherApp := result(t, other)["app_id"].(string)
		res = e.do("POST", "/cis/v1/applications/"+otherApp+"/roles", admin, map[string]any{"role_name": "elsewhere"})
		wantStatus(t, res, 201, "")
		elsewhere := result(t, res)["role_id"].(string)
		wantStatus(t, e.do("POST", base, admin, map[string]any{"name": "Mixed", "role_ids": []string{viewer, elsewhere}}), 400, "")
		wantStatus(t, e.do("POST", base, admin, map[string]any{"name": "No roles"}), 400, "")
		wantStatus(t, e.do("POST", base, admin, map[string]any{"name": "Staff", "role_ids": []string{auditor}}), 409, "")
		wantStatus(t, e.do("POST", base, tok, map[string]any{"name": "Sneaky", "role_ids": []string{auditor}}), 403, "")
		wantStatus(t, e.do("GET", base, tok, nil), 403, "")

		res = e.do("POST", base, admin, map[string]any{"name": "Audit", "role_ids": []string{auditor}})
		wantStatus(t, res, 201, "")
		list := e.do("GET", base, admin, nil).JSON(t)["result"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["name"] != "Staff" || list[1].(map[string]any)["name"] != "Audit" {
			t.Fatalf("GET role-groups listed %v, want Staff then Audit", list)
		}
		if got := e.do("GET", "/cis/v1/applications/"+otherApp+"/role-groups", admin, nil).JSON(t)["result"].([]any); len(got) != 0 {
			t.Errorf("another application lists %d role groups", len(got))
		}

		// A deleted role leaves its groups.
		wantStatus(t, e.do("DELETE", roles+"/"+editor, admin, nil), 204, "")
		list = e.do("GET", base, admin, nil).JSON(t)["result"].([]any)
		got := list[0].(map[string]any)
		if ids := jsonStrings(got["role_ids"]); !slices.Equal(ids, []string{viewer}) || !slices.Equal(roleNames(got["roles"]), []string{"viewer"}) {
			t.Errorf("after the editor role's deletion the group holds %q / %q, want only viewer", ids, roleNames(got["roles"]))
		}
	})
}

func roleNames(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, r := range list {
		m, _ := r.(map[string]any)
		name, _ := m["role_name"].(string)
		out = append(out, name)
	}
	return out
}

// A backend written for Mosaic's organization roles: the management application adds role
// groups, and roles directly, to an organization for an application, and reads them back with
// the groups' roles. Ids of another application are refused and change nothing; setting the
// groups keeps the roles; setting both replaces both.
func TestMosaicOrgRolesAndGroups(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		app := e.boot.AppID
		newRole := func(appID, name string) string {
			res := e.do("POST", "/cis/v1/applications/"+appID+"/roles", admin, map[string]any{"role_name": name})
			wantStatus(t, res, 201, "")
			return result(t, res)["role_id"].(string)
		}
		viewer, editor := newRole(app, "viewer"), newRole(app, "editor")
		res := e.do("POST", "/cis/v1/applications/"+app+"/role-groups", admin, map[string]any{"name": "Readers", "role_ids": []string{viewer}})
		wantStatus(t, res, 201, "")
		readers := result(t, res)["group_id"].(string)
		res = e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "Acme", "app_ids": []string{app}})
		wantStatus(t, res, 201, "")
		org := result(t, res)["organization_id"].(string)
		base := "/cis/v1/applications/" + app + "/organizations/" + org

		empty := e.do("GET", base+"/roles-and-groups", admin, nil)
		wantStatus(t, empty, 200, "")
		if r := result(t, empty); len(r["roles"].([]any))+len(r["role_groups"].([]any)) != 0 {
			t.Errorf("a new organization has roles or groups: %v", r)
		}
		res = e.do("POST", base+"/roles-and-groups/set", admin, map[string]any{"role_ids": []string{editor}, "role_group_ids": []string{readers}})
		wantStatus(t, res, 202, "")
		got := result(t, res)
		if names := roleNames(got["roles"]); !slices.Equal(names, []string{"editor"}) {
			t.Errorf("organization roles %q, want editor", names)
		}
		groups := got["role_groups"].([]any)
		if len(groups) != 1 || !slices.Equal(roleNames(groups[0].(map[string]any)["roles"]), []string{"viewer"}) {
			t.Errorf("organization role groups %v, want Readers with viewer", groups)
		}

		// Another application's role is refused; nothing changes.
		other := e.do("POST", "/cis/v1/applications", admin, map[string]any{"app_name": "Other"})
		wantStatus(t, other, 201, "")
		elsewhere := newRole(result(t, other)["app_id"].(string), "elsewhere")
		wantStatus(t, e.do("POST", base+"/roles-and-groups/set", admin, map[string]any{"role_ids": []string{elsewhere}}), 400, "")
		wantStatus(t, e.do("POST", base+"/role-groups/set", admin, map[string]any{"role_group_ids": []string{"nosuchgroup"}}), 400, "")
		wantStatus(t, e.do("POST", base+"/role-groups/set", admin, map[string]any{}), 400, "")
		wantStatus(t, e.do("POST", base+"/role-groups/set", e.appToken(), map[string]any{"role_group_ids": []string{}}), 403, "")

		// Setting the groups alone keeps the roles.
		res = e.do("POST", base+"/role-groups/set", admin, map[string]any{"role_group_ids": []string{}})
		wantStatus(t, res, 202, "")
		if g := result(t, res)["role_groups"].([]any); len(g) != 0 {
			t.Errorf("role groups after clearing: %v", g)
		}
		got = result(t, e.do("GET", base+"/roles-and-groups", admin, nil))
		if names := roleNames(got["roles"]); !slices.Equal(names, []string{"editor"}) {
			t.Errorf("setting the groups changed the roles to %q", names)
		}
		wantStatus(t, e.do("GET", base+"/role-groups", admin, nil), 200, "")
		wantStatus(t, e.do("GET", "/cis/v1/applications/"+app+"/organizations/nosuchorg/role-groups", admin, nil), 404, "")

		// The set bounds the roles a member can be given: editor is listed, viewer came with
		// Readers and is now refused, named in the error, with nothing changed.
		user := e.createUser(e.appToken(), "member@example.com")
		wantStatus(t, e.do("POST", "/cis/v1/organizations/"+org+"/members", admin, map[string]any{"user_id": user}), 201, "")
		memberRoles := base + "/members/" + user + "/roles"
		wantStatus(t, e.do("POST", memberRoles, admin, map[string]any{"role_ids": []string{editor}}), 204, "")
		res = e.do("POST", memberRoles, admin, map[string]any{"role_ids": []string{editor, viewer}})
		wantStatus(t, res, 400, "")
		if msg := messages(t, res); !strings.Contains(msg, viewer) || strings.Contains(msg, editor) {
			t.Errorf("the refusal should name viewer alone: %s", msg)
		}
		held := result(t, e.do("GET", "/cis/v1/members/"+user+"/organizations", admin, nil))
		if fmt.Sprint(held) != fmt.Sprint(map[string]any{org: map[string]any{app: []any{editor}}}) {
			t.Errorf("the refused call changed the member's roles: %v", held)
		}
		// Narrowing the set past a role a member holds is refused, naming it.
		res = e.do("POST", base+"/roles-and-groups/set", admin, map[string]any{"role_ids": []string{}, "role_group_ids": []string{readers}})
		wantStatus(t, res, 400, "")
		if msg := messages(t, res); !strings.Contains(msg, editor) {
			t.Errorf("the refusal should name editor: %s", msg)
		}
		// Giving Readers back lets the member be given viewer.
		wantStatus(t, e.do("POST", base+"/role-groups/set", admin, map[string]any{"role_group_ids": []string{readers}}), 202, "")
		wantStatus(t, e.do("POST", memberRoles, admin, map[string]any{"role_ids": []string{editor, viewer}}), 204, "")
	})
}
