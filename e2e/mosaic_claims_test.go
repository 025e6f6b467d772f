package e2e

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestMosaicSecondaryAddressClaims marks a secondary email verified through the Users API, as
// Mosaic's verifyUserEmail does, and asks for the secondary_emails and
// secondary_phone_numbers claims: the ID token says what the user object says.
func TestMosaicSecondaryAddressClaims(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "sec@example.com",
			"secondary_emails": ["sec@work.example", "sec@home.example"], "secondary_phone_numbers": ["+12125550142"]}`))
		wantStatus(t, res, 201, "")
		id := result(t, res)["user_id"].(string)
		wantStatus(t, e.do("POST", "/cis/v1/users/"+id+"/emails/sec@work.example/verify", tok, []byte(`{}`)), 202, "")

		user := result(t, e.do("GET", "/cis/v1/users/"+id, tok, nil))
		wantJSON := func(what string, v any, want string) {
			t.Helper()
			got, _ := json.Marshal(v)
			if string(got) != want {
				t.Errorf("%s = %s, want %s", what, got, want)
			}
		}
		var verified []string
		for _, v := range user["secondary_emails"].([]any) {
			if m := v.(map[string]any); m["email_verified"] == true {
				verified = append(verified, m["value"].(string))
			}
		}
		wantJSON("verified secondary emails of the user object", verified, `["sec@work.example"]`)

		code := e.sendCode(tok, "sec@example.com", 0)
		login := e.authenticate(tok, "sec@example.com", code, map[string]any{"claims": map[string]any{
			"id_token": map[string]any{"secondary_emails": nil, "secondary_phone_numbers": nil}}})
		wantStatus(t, login, 200, "")
		claims := verifyIDToken(t, e, login.JSON(t)["id_token"].(string), e.boot.ClientID)
		wantJSON("secondary_emails", claims["secondary_emails"],
			`[{"email_verified":true,"value":"sec@work.example"},{"email_verified":false,"value":"sec@home.example"}]`)
		wantJSON("secondary_phone_numbers", claims["secondary_phone_numbers"],
			`[{"phone_number_verified":false,"value":"+12125550142"}]`)
	})
}

// TestMosaicGroupIDsAndAccountID reads a user's groupIds, on the user and on a page of users,
// after adding them to groups with the Groups API, and asks for the external_account_id claim
// the application set on its user.
func TestMosaicGroupIDsAndAccountID(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "member@example.com", "external_account_id": "acct-31"}`))
		wantStatus(t, res, 201, "")
		id := result(t, res)["user_id"].(string)
		if got := result(t, res)["groupIds"]; got == nil {
			t.Errorf("a new user's groupIds = %v, want an empty list", got)
		}
		var groups []string
		for _, name := range []string{"Editors", "Readers"} {
			res := e.do("POST", "/cis/v1/groups", tok, []byte(`{"name": "`+name+`"}`))
			wantStatus(t, res, 201, "")
			g := result(t, res)["group_id"].(string)
			groups = append(groups, g)
			wantStatus(t, e.do("POST", "/cis/v1/groups/"+g+"/users", tok, []byte(`{"user_ids": ["`+id+`"]}`)), 204, "")
		}
		want, _ := json.Marshal(groups)
		got, _ := json.Marshal(result(t, e.do("GET", "/cis/v1/users/"+id, tok, nil))["groupIds"])
		if string(got) != string(want) {
			t.Errorf("groupIds = %s, want %s", got, want)
		}
		res = e.do("GET", "/cis/v1/users?search="+url.QueryEscape(`email eq "member@example.com"`), tok, nil)
		wantStatus(t, res, 200, "")
		page := res.JSON(t)["result"].([]any)
		if len(page) != 1 {
			t.Fatalf("search: %s", res.Body)
		}
		if got, _ := json.Marshal(page[0].(map[string]any)["groupIds"]); string(got) != string(want) {
			t.Errorf("groupIds in a page = %s, want %s", got, want)
		}

		code := e.sendCode(tok, "member@example.com", 0)
		login := e.authenticate(tok, "member@example.com", code, map[string]any{"claims": map[string]any{
			"id_token": map[string]any{"external_account_id": nil, "groups": nil}}})
		wantStatus(t, login, 200, "")
		claims := verifyIDToken(t, e, login.JSON(t)["id_token"].(string), e.boot.ClientID)
		if claims["external_account_id"] != "acct-31" {
			t.Errorf("external_account_id claim = %v", claims["external_account_id"])
		}
		if got, _ := json.Marshal(claims["groups"]); string(got) != string(want) {
			t.Errorf("groups claim = %s, want %s", got, want)
		}
	})
}
