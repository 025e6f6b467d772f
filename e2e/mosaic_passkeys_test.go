package e2e

import (
	"testing"

	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
)

// TestMosaicPasskeyManagement manages a user's passkeys the way Mosaic's reference shows it:
// the backend lists, reads, renames (PATCH with display_name) and deletes them at
// /v1/users/{userId}/webauthn-credentials with its client token, and the signed-in user does
// the same for their own at /v1/users/me/webauthn-credentials with their access token. The
// requests are plain JSON, as a Mosaic integration sends them.
func TestMosaicPasskeyManagement(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.enableWebAuthn(e.boot.AppID, nil)

		a := passkeytest.New(waOrigin)
		res := e.registerPasskey(tok, map[string]any{"external_user_id": "crm-9", "display_name": "Hedy"},
			map[string]any{"external_user_id": "crm-9", "user_email": "hedy@example.com"}, a)
		wantStatus(t, res, 200, "")
		userID := res.JSON(t)["user_id"].(string)
		credID := res.JSON(t)["credential_id"].(string)
		creds := "/cis/v1/users/" + userID + "/webauthn-credentials"

		// The backend's view.
		res = e.do("GET", creds, tok, nil)
		wantStatus(t, res, 200, "")
		list, _ := res.JSON(t)["result"].([]any)
		if len(list) != 1 {
			t.Fatalf("credentials: %s", res.Body)
		}
		c := list[0].(map[string]any)
		if c["credential_id"] != credID || c["display_name"] != c["name"] {
			t.Errorf("credential: %v", c)
		}
		wantTypes(t, "credential", c, map[string]string{"display_name": "string", "aaguid": "string", "created_at": "number",
			"updated_at": "number", "transports": "array", "backup_eligible": "bool", "sign_count": "number"})
		res = e.raw("PATCH", creds+"/"+credID, tok, `{"display_name": "Work laptop"}`)
		wantStatus(t, res, 200, "")
		if got := result(t, res); got["display_name"] != "Work laptop" || got["credential_id"] != credID {
			t.Errorf("update answer: %s", res.Body)
		}
		res = e.do("GET", creds+"/"+credID, tok, nil)
		wantStatus(t, res, 200, "")
		if result(t, res)["display_name"] != "Work laptop" {
			t.Errorf("after the update: %s", res.Body)
		}
		// Errors in the Users API's shape: numeric error_code, a list of messages on 400.
		res = e.raw("PATCH", creds+"/"+credID, tok, `{"display_name": ""}`)
		wantStatus(t, res, 400, "")
		wantTypes(t, "400 body", res.JSON(t), map[string]string{"error_code": "number", "message": "array"})
		res = e.do("GET", creds+"/nosuchcredential", tok, nil)
		wantStatus(t, res, 404, "")
		if res.JSON(t)["error_code"] != 404.0 {
			t.Errorf("404 body: %s", res.Body)
		}
		wantStatus(t, e.do("GET", "/cis/v1/users/nosuchuser/webauthn-credentials", tok, nil), 404, "")

		// The user signs in with the passkey and manages their own.
		login := e.passkeyLogin(tok, "", a, nil)
		wantStatus(t, login, 200, "")
		access := login.JSON(t)["access_token"].(string)
		mine := "/cis/v1/users/me/webauthn-credentials"
		wantStatus(t, e.do("GET", mine, tok, nil), 401, "")
		res = e.do("GET", mine, access, nil)
		wantStatus(t, res, 200, "")
		if list, _ := res.JSON(t)["result"].([]any); len(list) != 1 || list[0].(map[string]any)["display_name"] != "Work laptop" {
			t.Fatalf("own credentials: %s", res.Body)
		}
		res = e.raw("PATCH", mine+"/"+credID, access, `{"display_name": "Phone"}`)
		wantStatus(t, res, 200, "")
		if result(t, res)["display_name"] != "Phone" {
			t.Errorf("own update: %s", res.Body)
		}
		res = e.do("GET", mine+"/"+credID, access, nil)
		wantStatus(t, res, 200, "")
		if result(t, res)["display_name"] != "Phone" {
			t.Errorf("own credential: %s", res.Body)
		}
		wantStatus(t, e.do("DELETE", mine+"/"+credID, access, nil), 204, "")
		wantStatus(t, e.do("DELETE", mine+"/"+credID, access, nil), 404, "")
		res = e.do("GET", creds, tok, nil)
		wantStatus(t, res, 200, "")
		if list, _ := res.JSON(t)["result"].([]any); len(list) != 0 {
			t.Errorf("after the user's delete: %s", res.Body)
		}
		wantStatus(t, e.passkeyLogin(tok, "", a, nil), 400, "auth_invalid_credentials")

		// A wrong method names the ones the path has.
		res = e.do("PUT", creds+"/"+credID, tok, map[string]any{"display_name": "x"})
		wantStatus(t, res, 405, "")
		if allow := res.Header.Get("Allow"); allow != "GET, PATCH, DELETE" {
			t.Errorf("Allow = %q", allow)
		}
	})
}
