package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// TestOpenAPIWalk drives the answers other tests leave out (full user profiles, every admin
// success body, conflicts, the audit log, OAuth endpoint errors) so that checkAgainstOpenAPI
// holds the document to each of them. Statuses are asserted here; bodies by the document.
func TestOpenAPIWalk(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		walkUsers(t, e)
		walkAdmin(t, e)
		walkAuditAndOAuth(t, e)
		walkTOTP(t, e)
	})
}

func walkUsers(t *testing.T, e *env) {
	tok := e.appToken()
	res := e.do("POST", "/cis/v1/users", tok, map[string]any{
		"email": "full@example.com", "phone_number": "+14155550199", "username": "full_user",
		"external_user_id": "ext-full", "secondary_emails": []string{"alt@example.com"},
		"name":     map[string]any{"title": "Dr", "first_name": "Ful", "last_name": "User"},
		"address":  map[string]any{"country": "US", "city": "Oakland", "type": "home"},
		"birthday": "1990-02-03", "picture": "https://img.example/full.png", "language": "en-US",
		"custom_data": map[string]any{"plan": "pro"}, "custom_app_data": map[string]any{"seat": 3},
	})
	wantStatus(t, res, 201, "")
	id := res.JSON(t)["result"].(map[string]any)["user_id"].(string)
	wantStatus(t, e.do("GET", "/cis/v1/users/username/full_user", tok, nil), 200, "")
	wantStatus(t, e.do("GET", "/cis/v1/users/external-user-id/ext-full", tok, nil), 200, "")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+id, tok, map[string]any{"status": "Disabled", "custom_data": map[string]any{"plan": nil}}), 200, "")
	wantStatus(t, e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "other@example.com", "username": "full_user"}), 409, "user_already_exists")
	wantStatus(t, e.do("GET", "/cis/v1/users?page_limit=many", tok, nil), 400, "system_invalid_input")
	wantStatus(t, e.do("GET", "/cis/v1/users/email/not-an-email", tok, nil), 400, "")
	wantStatus(t, e.do("GET", "/cis/v1/users/"+id, "", nil), 401, "unauthorized")
	wantStatus(t, e.do("DELETE", "/cis/v1/users/"+id, tok, nil), 204, "")
}

func walkAdmin(t *testing.T, e *env) {
	admin := e.adminToken()
	res := e.do("GET", "/cis/v1/applications", admin, nil)
	wantStatus(t, res, 200, "")
	var mgmtAppID string
	for _, a := range res.JSON(t)["result"].([]any) {
		if app := a.(map[string]any); app["kind"] == "management" {
			mgmtAppID = app["app_id"].(string)
		}
	}
	app := "/cis/v1/applications/" + e.boot.AppID
	wantStatus(t, e.do("GET", app, admin, nil), 200, "")
	wantStatus(t, e.do("GET", app+"/clients", admin, nil), 200, "")
	res = e.do("POST", app+"/clients", admin, map[string]any{"name": "walk", "token_expiration": map[string]any{"refresh_token_ttl": 3600}})
	wantStatus(t, res, 201, "")
	client := app + "/clients/" + res.JSON(t)["client_id"].(string)
	wantStatus(t, e.do("PUT", client, admin, map[string]any{"description": "backend", "session_expiration": 3600}), 200, "")
	wantStatus(t, e.do("POST", client+"/secret", admin, nil), 200, "")

	res = e.do("POST", "/cis/v1/resources", admin, map[string]any{"uri": "https://api.walk.example", "access_token_ttl": 600})
	wantStatus(t, res, 201, "")
	resID := res.JSON(t)["result"].(map[string]any)["resource_id"].(string)
	wantStatus(t, e.do("POST", "/cis/v1/resources", admin, map[string]any{"uri": "https://other.walk.example"}), 201, "")
	wantStatus(t, e.do("PUT", "/cis/v1/resources/"+resID, admin, map[string]any{"name": "Walk API"}), 200, "")
	wantStatus(t, e.do("PUT", "/cis/v1/resources/"+resID, admin, map[string]any{"uri": "https://other.walk.example"}), 409, "conflict")
	wantStatus(t, e.do("PUT", app+"/resources", admin, map[string]any{"resource_ids": []string{resID}}), 200, "")

	wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+mgmtAppID, admin, nil), 409, "conflict")
	wantStatus(t, e.do("DELETE", "/cis/v1/applications/"+mgmtAppID+"/clients/"+e.boot.AdminClientID, admin, nil), 409, "conflict")
	wantStatus(t, e.do("GET", "/cis/v1/applications", "", nil), 401, "unauthorized")
}

func walkAuditAndOAuth(t *testing.T, e *env) {
	admin := e.adminToken()
	res := e.do("GET", "/cis/v1/audit?page_limit=50", admin, nil)
	wantStatus(t, res, 200, "")
	if n, _ := res.JSON(t)["total_count"].(float64); n == 0 {
		t.Fatalf("audit log is empty after admin changes: %s", res.Body)
	}
	wantStatus(t, e.do("GET", "/cis/v1/audit?since=yesterday", admin, nil), 400, "system_invalid_input")
	wantStatus(t, e.do("PUT", "/cis/v1/audit/webhook", admin, map[string]any{"url": "https://hooks.walk.example/latchkey"}), 200, "")
	wantStatus(t, e.do("DELETE", "/cis/v1/audit/webhook", admin, nil), 204, "")

	tok := e.appToken()
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", tok, map[string]any{}), 400, "system_invalid_input")
	wantStatus(t, e.do("POST", "/cis/v1/auth/session/logout", tok, map[string]any{"session_id": "nosuchsession"}), 400, "session_not_found")
	for _, path := range []string{"/oidc/token/introspection", "/oidc/token/revocation"} {
		wantStatus(t, e.form(path, url.Values{"token": {"x"}}, "", ""), 401, "invalid_client")
		wantStatus(t, e.form(path, url.Values{}, e.boot.ClientID, e.boot.ClientSecret), 400, "invalid_request")
	}
	res = e.form("/oidc/token/introspection", url.Values{"token": {tok}}, e.boot.ClientID, e.boot.ClientSecret)
	wantStatus(t, res, 200, "")
	if res.JSON(t)["active"] != true {
		t.Fatalf("introspection of a fresh client token: %s", res.Body)
	}
	big := url.Values{"grant_type": {"client_credentials"}, "pad": {strings.Repeat("a", 1<<20)}}
	wantStatus(t, e.form("/oidc/token", big, e.boot.ClientID, e.boot.ClientSecret), 413, "")
}

func walkTOTP(t *testing.T, e *env) {
	tok := e.appToken()
	user := "/cis/v1/users/" + e.createUser(tok, "totp@example.com")
	res := e.do("POST", user+"/totp", tok, map[string]any{"name": "phone"})
	wantStatus(t, res, 201, "")
	totp := user + "/totp/" + res.JSON(t)["result"].(map[string]any)["totp_id"].(string)
	wantStatus(t, e.do("GET", user+"/totp", tok, nil), 200, "")
	wantStatus(t, e.do("POST", totp+"/confirm", tok, map[string]any{"code": "abc"}), 400, "auth_invalid_credentials")
	res = e.do("POST", user+"/recovery-codes", tok, nil)
	wantStatus(t, res, 201, "")
	code := res.JSON(t)["result"].(map[string]any)["recovery_codes"].([]any)[0].(string)
	wantStatus(t, e.do("GET", user+"/recovery-codes", tok, nil), 200, "")
	login := map[string]any{"identifier": "totp@example.com", "code": code}
	wantStatus(t, e.do("POST", "/cis/v1/auth/recovery-code/authenticate", tok, login), 200, "")
	wantStatus(t, e.do("POST", "/cis/v1/auth/recovery-code/authenticate", tok, login), 400, "auth_invalid_credentials")
	wantStatus(t, e.do("POST", "/cis/v1/auth/totp/authenticate", tok, map[string]any{"identifier": "totp@example.com", "token": "123456"}), 400, "auth_invalid_credentials")
	wantStatus(t, e.do("DELETE", user+"/recovery-codes", tok, nil), 204, "")
	wantStatus(t, e.do("DELETE", totp, tok, nil), 204, "")
	wantStatus(t, e.do("DELETE", totp, tok, nil), 404, "totp_not_found")
}
