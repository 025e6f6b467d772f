package e2e

import (
	"strings"
	"testing"
)

// TestMosaicApplicationsErrors reads the Applications API's failures as an integration written
// for Mosaic does: Mosaic's reference gives that API BadRequestHttpError (error_code 400 as a
// number, message a list of strings), NotFoundHttpError (404, message a string) and
// IdentifierIsTakenHttpError (409, with ts_error_code), so a client decodes error_code as a
// number whatever the failure.
func TestMosaicApplicationsErrors(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin, own := e.adminToken(), e.appToken()
		app := "/cis/v1/applications/" + e.boot.AppID

		numeric := func(what string, res response, status int) map[string]any {
			t.Helper()
			wantStatus(t, res, status, "")
			body := res.JSON(t)
			message := "string"
			if status == 400 {
				message = "array"
			}
			wantTypes(t, what, body, map[string]string{"error_code": "number", "message": message, "request_id": "string"})
			if body["error_code"] != float64(status) {
				t.Errorf("%s: error_code %v, want %d", what, body["error_code"], status)
			}
			if status != 409 {
				wantTypes(t, what, body, map[string]string{"ts_error_code": "absent"})
			}
			return body
		}

		// 400: every problem of a createApp body is listed.
		body := numeric("createApp without a name", e.do("POST", "/cis/v1/applications", admin, []byte(`{"app_description": 5}`)), 400)
		if msgs, _ := body["message"].([]any); len(msgs) == 0 {
			t.Errorf("400 lists no problem: %v", body)
		}
		numeric("createAppClient with a bad claim", e.do("POST", app+"/clients", admin, []byte(`{"name": "c",
			"redirect_uris": ["https://www.example.com/login"], "default_custom_claims": ["nope"]}`)), 400)
		numeric("malformed JSON", e.raw("PUT", app, admin, `{"app_name": `), 400)

		// 401 and 403: the token.
		res := e.do("GET", "/cis/v1/applications", "", nil)
		numeric("no token", res, 401)
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without a Bearer challenge: %v", res.Header)
		}
		numeric("an application's token listing every application", e.do("GET", "/cis/v1/applications", own, nil), 403)

		// 404 for each kind of record.
		for what, path := range map[string]string{
			"getAppById":        "/cis/v1/applications/nosuchapp",
			"getAppClientById":  app + "/clients/nosuchclient",
			"getResourceByUri":  "/cis/v1/resources/uri?resourceUri=https://nowhere.example/api",
			"loginPreferences":  "/cis/loginPreferences/nosuchapp",
			"updateSigningKey":  "/cis/v1/applications/signing-keys/nosuchkey",
			"deleteAppClients":  "/cis/v1/applications/nosuchapp/clients",
			"deleteApplication": "/cis/v1/applications/nosuchapp",
		} {
			method := "GET"
			switch what {
			case "updateSigningKey":
				method = "PUT"
			case "deleteAppClients", "deleteApplication":
				method = "DELETE"
			}
			var payload any
			if method == "PUT" {
				payload = map[string]any{"name": "x"}
			}
			numeric(what, e.do(method, path, admin, payload), 404)
		}

		// 409: the conflict is named in ts_error_code.
		resource := []byte(`{"name": "Orders", "uri": "https://api.example.com/orders"}`)
		wantStatus(t, e.do("POST", "/cis/v1/resources", admin, resource), 201, "")
		body = numeric("a second resource with the URI", e.do("POST", "/cis/v1/resources", admin, resource), 409)
		if body["ts_error_code"] != "conflict" {
			t.Errorf("409 ts_error_code = %v", body["ts_error_code"])
		}

		// The backend-authentication API keeps its string codes beside it.
		res = e.do("POST", "/cis/v1/auth/otp/send", own, []byte(`{}`))
		wantStatus(t, res, 400, "")
		wantTypes(t, "backend-auth 400", res.JSON(t), map[string]string{"error_code": "string"})
	})
}
