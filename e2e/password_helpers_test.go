package e2e

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/authtest"

	"github.com/latchkey/latchkey/internal/model"
)

// Password tests hash with the shared fixture's cheap argon2id parameters (importing authtest
// sets them): the format and every rule are the same at any cost, and the suite runs on small
// machines. Its passwords meet the default complexity rules.
const (
	pwdGood  = authtest.GoodPassword
	pwdOther = authtest.OtherPassword
	pwdThird = authtest.ThirdPassword
)

// pwdCreateUser creates a user of the demo application with the given credentials object and
// returns its id.
func (e *env) pwdCreateUser(token, email, username string, credentials map[string]any) string {
	e.t.Helper()
	body := map[string]any{"email": email, "credentials": credentials}
	if username != "" {
		body["username"] = username
	}
	res := e.do("POST", "/cis/v1/users", token, body)
	wantStatus(e.t, res, 201, "")
	return result(e.t, res)["user_id"].(string)
}

// pwdLogin calls the password login with a username of the given type ("" for the default).
func (e *env) pwdLogin(token, usernameType, username, pw string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"username": username, "password": pw}
	if usernameType != "" {
		body["username_type"] = usernameType
	}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/password/authenticate", token, body)
}

func (e *env) pwdChange(token, username, cur, next string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"username": username, "current_password": cur, "new_password": next}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/password/change", token, body)
}

// setPasswordPrefs replaces the demo application's password preferences.
func (e *env) setPasswordPrefs(prefs map[string]any) {
	e.t.Helper()
	res := e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", e.adminToken(), map[string]any{"password": prefs})
	wantStatus(e.t, res, 200, "")
}

// storedPassword returns the user's password credential as stored.
func (e *env) storedPassword(userID string) model.Credential {
	e.t.Helper()
	list, err := e.store.ListCredentials(context.Background(), e.boot.TenantID, userID, model.CredentialPassword)
	if err != nil || len(list) != 1 {
		e.t.Fatalf("password credentials of %s: %d, %v", userID, len(list), err)
	}
	return list[0]
}

// wantMessage fails unless res is {"result":{"message": msg}}.
func wantMessage(t *testing.T, res response, status int, msg string) {
	t.Helper()
	wantStatus(t, res, status, "")
	if got := result(t, res)["message"]; got != msg {
		t.Fatalf("message %v, want %q: %s", got, msg, res.Body)
	}
}

// sameError fails unless two error answers are the same but for their request ids.
func sameError(t *testing.T, a, b response) {
	t.Helper()
	ja, jb := a.JSON(t), b.JSON(t)
	delete(ja, "request_id")
	delete(jb, "request_id")
	if a.Status != b.Status || ja["error_code"] != jb["error_code"] || ja["message"] != jb["message"] || len(ja) != len(jb) {
		t.Fatalf("answers differ:\n%d %s\n%d %s", a.Status, a.Body, b.Status, b.Body)
	}
}

// directResetCode sends a password reset code for email by the direct channel and returns it.
func (e *env) directResetCode(token, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/password/reset/send", token, map[string]any{
		"identifier_type": "email", "identifier": email, "channel": "direct"})
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)["code"].(string)
}
