package e2e

// groupIsolationCases aim A's tokens at B's group and B's user through the Groups API. Groups
// are tenant-wide: B's group is simply not found, and B's name is free in A.
func (f *isoFixture) groupIsolationCases() map[string][]isoCase {
	a, b := f.a, f.b
	bGroup := "/cis/v1/groups/" + b.GroupID
	ownGroup := "/cis/v1/groups/" + a.GroupID
	same := func(name, method, path string, body any, status int) isoCase {
		return isoCase{name: name, do: f.call(method, path, body), admin: status, client: status}
	}
	return map[string][]isoCase{
		"POST /cis/v1/groups": {{
			name: "B's group name is free in A", do: f.call("POST", "/cis/v1/groups", map[string]any{"name": b.GroupName}),
			admin: 201, client: 201, after: f.deleteCreated("group_id", "/cis/v1/groups/"),
		}},
		"GET /cis/v1/groups":            {same("list", "GET", "/cis/v1/groups", nil, 200)},
		"GET /cis/v1/groups/{group_id}": {same("B's group", "GET", bGroup, nil, 404)},
		"PUT /cis/v1/groups/{group_id}": {same("B's group", "PUT", bGroup, map[string]any{"name": "taken over"}, 404)},
		"DELETE /cis/v1/groups/{group_id}": {
			same("B's group", "DELETE", bGroup, nil, 404),
		},
		"POST /cis/v1/groups/{group_id}/users": {
			same("A's user into B's group", "POST", bGroup+"/users", map[string]any{"user_ids": []string{a.UserID}}, 404),
			{name: "B's user into A's group", do: f.call("POST", ownGroup+"/users", map[string]any{"user_ids": []string{b.UserID}}),
				admin: 404, client: 404, clientCode: "user_not_found"},
		},
		"GET /cis/v1/groups/{group_id}/users": {same("B's group", "GET", bGroup+"/users", nil, 404)},
		"DELETE /cis/v1/groups/{group_id}/users/{user_id}": {
			same("B's user from B's group", "DELETE", bGroup+"/users/"+b.UserID, nil, 404),
			{name: "B's user from A's group", do: f.call("DELETE", ownGroup+"/users/"+b.UserID, nil),
				admin: 404, client: 404, clientCode: "user_not_in_group"},
		},
	}
}
