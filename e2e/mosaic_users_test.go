package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// These tests call the Users API as an integration written for Mosaic does: bodies are the
// JSON of Mosaic's documented requests, answers are read as plain JSON and checked for the
// fields and types Mosaic's reference gives them.

// mosaicCreateUser is a create-user body with every field Mosaic documents.
const mosaicCreateUser = `{
  "email": "John.Doe@Example.com",
  "phone_number": "+12125550123",
  "username": "jdoe",
  "secondary_emails": ["john@work.example", "jd@home.example"],
  "secondary_phone_numbers": ["+442079460123"],
  "birthday": "1990-05-17T00:00:00.000Z",
  "address": {"country": "US", "state": "NY", "city": "New York", "street_address": "1 Main St", "postal_code": "10001", "type": "Home"},
  "name": {"title": "Mr", "first_name": "John", "last_name": "Doe", "middle_name": "Q"},
  "external_account_id": "acct-778",
  "custom_app_data": {"plan": "pro"},
  "picture": "https://cdn.example/john.png",
  "language": "en-US",
  "custom_data": {"tier": "gold", "seats": 3},
  "external_user_id": "crm-1001",
  "credentials": {"password": "Tr1cky-Lantern-84", "force_replace": true}
}`

// isoTime reports whether v is an ISO 8601 date-time string, as Mosaic writes times.
func isoTime(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func TestMosaicCreateAndReadUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(mosaicCreateUser))
		wantStatus(t, res, 201, "")
		u := result(t, res)
		id, _ := u["user_id"].(string)
		if id == "" || u["status"] != "Active" || u["username"] != "jdoe" || u["external_user_id"] != "crm-1001" {
			t.Fatalf("created user: %s", res.Body)
		}
		for _, f := range []string{"created_at", "updated_at"} {
			if _, ok := u[f].(float64); !ok {
				t.Errorf("%s is not a number: %v", f, u[f])
			}
		}
		if !isoTime(u["status_changed_at"]) || u["birthday"] != "1990-05-17T00:00:00.000Z" {
			t.Errorf("status_changed_at %v, birthday %v; want ISO date-times", u["status_changed_at"], u["birthday"])
		}
		email := u["email"].(map[string]any)
		if email["value"] != "john.doe@example.com" || email["email_verified"] != false || email["verified_at"] != nil {
			t.Errorf("email = %v", email)
		}
		phone := u["phone_number"].(map[string]any)
		if phone["value"] != "+12125550123" || phone["phone_number_verified"] != false {
			t.Errorf("phone_number = %v", phone)
		}
		second := u["secondary_emails"].([]any)
		if len(second) != 2 || second[0].(map[string]any)["value"] != "john@work.example" || second[0].(map[string]any)["email_verified"] != false {
			t.Errorf("secondary_emails = %v", second)
		}
		if p := u["secondary_phone_numbers"].([]any); len(p) != 1 || p[0].(map[string]any)["value"] != "+442079460123" {
			t.Errorf("secondary_phone_numbers = %v", p)
		}
		addr := u["address"].(map[string]any)
		if addr["city"] != "New York" || addr["type"] != "Home" {
			t.Errorf("address = %v", addr)
		}
		if _, ok := addr["updated_at"].(float64); !ok {
			t.Errorf("address.updated_at is not a number: %v", addr)
		}
		if n := u["name"].(map[string]any); n["first_name"] != "John" || n["middle_name"] != "Q" {
			t.Errorf("name = %v", n)
		}
		if u["external_account_id"] != "acct-778" || u["app_name"] == nil || u["custom_app_data"].(map[string]any)["plan"] != "pro" {
			t.Errorf("application fields: account %v, app %v, data %v", u["external_account_id"], u["app_name"], u["custom_app_data"])
		}
		if ids, ok := u["identities"].([]any); !ok || len(ids) != 0 {
			t.Errorf("identities of a new user = %v; want an empty list", u["identities"])
		}
		if g, ok := u["groupIds"].([]any); !ok || len(g) != 0 {
			t.Errorf("groupIds = %v; want an empty list", u["groupIds"])
		}
		pw := u["password_information"].(map[string]any)
		if pw["temporary"] != true || pw["expired"] != false || !isoTime(pw["expires_in"]) {
			t.Errorf("password_information = %v", pw)
		}
		if _, ok := pw["updated_at"].(float64); !ok {
			t.Errorf("password_information.updated_at is not a number: %v", pw)
		}
		if u["last_auth"] != nil {
			t.Errorf("a new user has last_auth %v", u["last_auth"])
		}

		// Every lookup Mosaic offers finds the same user.
		for _, path := range []string{
			"/cis/v1/users/" + id, "/cis/v1/users/email/john.doe@example.com", "/cis/v1/users/username/JDoe",
			"/cis/v1/users/phone-number/%2B12125550123", "/cis/v1/users/phone/%2B12125550123",
			"/cis/v1/users/external-user-id/crm-1001",
			"/cis/v1/users/identifier?identifier_name=email&identifier_value=john.doe%40example.com",
			"/cis/v1/users/identifier?identifier_name=phoneNumber&identifier_value=%2B12125550123",
			"/cis/v1/users/identifier?identifier_name=externalUserId&identifier_value=crm-1001",
			"/cis/v1/users/identifier?identifier_name=username&identifier_value=jdoe",
		} {
			res := e.do("GET", path, tok, nil)
			wantStatus(t, res, 200, "")
			if got := result(t, res)["user_id"]; got != id {
				t.Errorf("GET %s found %v, want %s", path, got, id)
			}
		}
		res = e.do("GET", "/cis/v1/users/"+id+"/groups", tok, nil)
		wantStatus(t, res, 200, "")
		if g, ok := res.JSON(t)["result"].([]any); !ok || len(g) != 0 {
			t.Errorf("groups = %s; want an empty result list", res.Body)
		}
		// A management token sees the user without the application's own fields.
		res = e.do("GET", "/cis/v1/users/"+id, e.adminToken(), nil)
		wantStatus(t, res, 200, "")
		if a := result(t, res); a["custom_app_data"] != nil || a["external_account_id"] != nil || a["app_name"] != nil {
			t.Errorf("the admin's view has application fields: %s", res.Body)
		}
	})
}

func TestMosaicUpdateAndAddresses(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "ann@example.com", "secondary_emails": ["ann@old.example"],
			"custom_data": {"a": 1, "b": 2}}`))
		wantStatus(t, res, 201, "")
		id := result(t, res)["user_id"].(string)
		before := result(t, res)["status_changed_at"]
		e.clock.Advance(time.Minute)

		res = e.do("PUT", "/cis/v1/users/"+id, tok, []byte(`{"secondary_emails": ["ann@new.example"], "secondary_phone_numbers": ["+12125550188"],
			"status": "Disabled", "custom_data": {"b": null, "c": 3}, "external_account_id": "acct-9", "birthday": "1985-02-03"}`))
		wantStatus(t, res, 200, "")
		u := result(t, res)
		var emails []string
		for _, v := range u["secondary_emails"].([]any) {
			emails = append(emails, v.(map[string]any)["value"].(string))
		}
		if strings.Join(emails, ",") != "ann@old.example,ann@new.example" {
			t.Errorf("secondary emails after an update = %v; want the new one added", emails)
		}
		if u["status"] != "Disabled" || u["status_changed_at"] == before || !isoTime(u["status_changed_at"]) {
			t.Errorf("status %v changed at %v (was %v)", u["status"], u["status_changed_at"], before)
		}
		if cd := u["custom_data"].(map[string]any); cd["a"] != 1.0 || cd["b"] != nil || cd["c"] != 3.0 {
			t.Errorf("custom_data after a merge = %v", cd)
		}
		if u["external_account_id"] != "acct-9" || u["birthday"] != "1985-02-03T00:00:00.000Z" {
			t.Errorf("account %v, birthday %v", u["external_account_id"], u["birthday"])
		}

		// Verify a secondary email and make it the primary one; remove a secondary one.
		res = e.do("POST", "/cis/v1/users/"+id+"/emails/ann@new.example/verify", tok, []byte(`{"change_to_primary": true}`))
		wantStatus(t, res, 202, "")
		if len(res.Body) != 0 {
			t.Errorf("verify answered a body: %s", res.Body)
		}
		wantStatus(t, e.do("POST", "/cis/v1/users/"+id+"/phone-numbers/%2B12125550188/verify", tok, []byte(`{}`)), 202, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+id+"/emails/ann@old.example", tok, nil), 204, "")
		res = e.do("GET", "/cis/v1/users/"+id, tok, nil)
		wantStatus(t, res, 200, "")
		u = result(t, res)
		email := u["email"].(map[string]any)
		if email["value"] != "ann@new.example" || email["email_verified"] != true || !isoTime(email["verified_at"]) {
			t.Errorf("primary email after the change = %v", email)
		}
		second := u["secondary_emails"].([]any)
		if len(second) != 1 || second[0].(map[string]any)["value"] != "ann@example.com" {
			t.Errorf("secondary emails = %v; want the former primary only", second)
		}
		phone := u["secondary_phone_numbers"].([]any)[0].(map[string]any)
		if phone["phone_number_verified"] != true || !isoTime(phone["verified_at"]) {
			t.Errorf("verified secondary phone = %v", phone)
		}
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+id+"/phone-numbers/%2B12125550188", tok, nil), 204, "")
		wantStatus(t, e.do("DELETE", "/cis/v1/users/"+id+"/phone-numbers/%2B12125550188", tok, nil), 404, "")
	})
}

// TestMosaicUsersErrors checks the Users API's error bodies: error_code is the status as a
// number, message a list on 400, and a 409 says which conflict in ts_error_code.
func TestMosaicUsersErrors(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		res := e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "not-an-email", "birthday": "yesterday"}`))
		body := res.JSON(t)
		msgs, _ := body["message"].([]any)
		if res.Status != 400 || body["error_code"] != 400.0 || len(msgs) != 2 {
			t.Errorf("bad create: %d %s; want 400 with error_code 400 and both problems listed", res.Status, res.Body)
		}
		res = e.do("GET", "/cis/v1/users?search="+url.QueryEscape(`email eq`), tok, nil)
		if body := res.JSON(t); res.Status != 400 || body["error_code"] != 400.0 {
			t.Errorf("bad search: %d %s", res.Status, res.Body)
		}
		res = e.do("GET", "/cis/v1/users/nosuchuser", tok, nil)
		if body := res.JSON(t); res.Status != 404 || body["error_code"] != 404.0 || body["message"] == nil {
			t.Errorf("unknown user: %d %s", res.Status, res.Body)
		}
		wantStatus(t, e.do("POST", "/cis/v1/users", tok, []byte(`{"email": "taken@example.com"}`)), 201, "")
		res = e.do("POST", "/cis/v1/users", e.adminToken(), []byte(`{"email": "taken@example.com"}`))
		if body := res.JSON(t); res.Status != 409 || body["error_code"] != 409.0 || body["ts_error_code"] != "user_already_exists" {
			t.Errorf("taken email: %d %s", res.Status, res.Body)
		}
		res = e.do("GET", "/cis/v1/users/count", "", nil)
		if body := res.JSON(t); res.Status != 401 || body["error_code"] != 401.0 || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("no token: %d %s", res.Status, res.Body)
		}
		res = e.do("DELETE", "/cis/v1/manage/users/nosuchuser", tok, nil)
		if body := res.JSON(t); res.Status != 403 || body["error_code"] != 403.0 {
			t.Errorf("manage route with a client token: %d %s", res.Status, res.Body)
		}
		// The backend-authentication API keeps its string codes.
		res = e.do("POST", "/cis/v1/auth/otp/send", tok, []byte(`{"channel": "fax"}`))
		if body := res.JSON(t); res.Status != 400 || body["error_code"] != "system_invalid_input" {
			t.Errorf("auth API error: %d %s", res.Status, res.Body)
		}
	})
}
