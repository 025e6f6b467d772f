package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestMosaicSearchUsers runs the searches Mosaic documents for GET /v1/users: SCIM filters on
// the documented attributes, search_prefix, sort_field and sort_order, pages with page_info,
// and the same filters on GET /v1/users/count.
func TestMosaicSearchUsers(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		mk := func(body string) string {
			e.clock.Advance(time.Second)
			res := e.do("POST", "/cis/v1/users", tok, []byte(body))
			wantStatus(t, res, 201, "")
			return result(t, res)["user_id"].(string)
		}
		john := mk(`{"email": "john@example.com", "phone_number": "+12125550101", "name": {"first_name": "John", "last_name": "Smith"},
			"status": "Pending", "birthday": "1980-01-02", "custom_data": {"plan": "gold", "seats": 5}, "custom_app_data": {"tier": "a"},
			"external_account_id": "acct-1", "secondary_emails": ["js@work.example"]}`)
		johnny := mk(`{"email": "johnny@example.com", "name": {"first_name": "Johnny"}, "custom_data": {"plan": "silver", "seats": 2}}`)
		mary := mk(`{"phone_number": "+14155550102", "username": "mary", "name": {"first_name": "Mary"}, "status": "Disabled",
			"custom_data": {"plan": "gold", "vip": true}}`)
		wantStatus(t, e.do("POST", "/cis/v1/users", e.adminToken(), []byte(`{"email": "john@elsewhere.example"}`)), 201, "")

		search := func(query string) ([]string, map[string]any) {
			t.Helper()
			res := e.do("GET", "/cis/v1/users?"+query, tok, nil)
			wantStatus(t, res, 200, "")
			body := res.JSON(t)
			var ids []string
			for _, u := range body["result"].([]any) {
				ids = append(ids, u.(map[string]any)["user_id"].(string))
			}
			return ids, body
		}
		q := func(expr string) string { return "search=" + url.QueryEscape(expr) }
		cases := map[string][]string{
			q(`name.first_name eq "John"`): {john},
			q(`(status eq "Pending") and (name.first_name sw "John") and (created_at le "2999-08-22")`): {john},
			q(`name.first_name sw "john"`):                             {john, johnny},
			q(`email ne "john@example.com"`):                           {johnny, mary},
			q(`phone_number pr and status ne "Active"`):                {john, mary},
			q(`birthday lt "1990-01-01"`):                              {john},
			q(`secondary_emails eq "js@work.example"`):                 {john},
			q(`custom_data.plan eq "gold"`):                            {john, mary},
			q(`custom_data.seats gt 2`):                                {john},
			q(`custom_data.vip eq true`):                               {mary},
			q(`custom_app_data.tier eq "a" or external_account_id pr`): {john},
			q(`last_auth pr`):                                          nil,
			"search_prefix=john":                                       {john, johnny},
			"search_prefix=%2B1212":                                    {john},
			"sort_field=email&sort_order=desc":                         {johnny, john, mary},
			"sort_field=phone_number":                                  {john, mary, johnny},
			"sort_order=desc":                                          {mary, johnny, john},
		}
		for query, want := range cases {
			got, body := search(query)
			if !slices.Equal(got, want) {
				t.Errorf("GET /cis/v1/users?%s found %v, want %v", query, got, want)
			}
			if body["total_count"] != float64(len(want)) {
				t.Errorf("GET /cis/v1/users?%s: total_count %v, want %d", query, body["total_count"], len(want))
			}
		}

		// Pages and page_info.
		for _, p := range []struct {
			offset         int
			want           []string
			next, previous bool
		}{{0, []string{john, johnny}, true, false}, {2, []string{mary}, false, true}} {
			got, body := search(fmt.Sprintf("page_offset=%d&page_limit=2.0", p.offset)) // numbers, as Mosaic types them
			info := body["page_info"].(map[string]any)
			if !slices.Equal(got, p.want) || info["has_next_page"] != p.next || info["has_previous_page"] != p.previous {
				t.Errorf("page at %d = %v, page_info %v", p.offset, got, info)
			}
		}

		// The count takes the same filters; a management token counts the whole tenant.
		count := func(bearer, query string) any {
			res := e.do("GET", "/cis/v1/users/count?"+query, bearer, nil)
			wantStatus(t, res, 200, "")
			return result(t, res)["user_count"]
		}
		if n := count(tok, ""); n != 3.0 {
			t.Errorf("count = %v, want 3", n)
		}
		if n := count(tok, q(`custom_data.plan eq "gold"`)); n != 2.0 {
			t.Errorf("count of gold users = %v, want 2", n)
		}
		if n := count(e.adminToken(), q(`email sw "john"`)); n != 3.0 {
			t.Errorf("the admin's count = %v, want 3", n)
		}
		res := e.do("GET", "/cis/v1/users?sort_field=organization_added_at", tok, nil)
		wantStatus(t, res, 400, "")
	})
}
