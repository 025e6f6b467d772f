package e2e

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/password"
)

func TestPasswordLoginE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		userID := e.pwdCreateUser(tok, "ada@example.com", "ada", map[string]any{"password": pwdGood, "force_replace": false})
		for _, by := range [][2]string{{"", "ada"}, {"username", "ADA"}, {"email", "Ada@Example.com"}} {
			res := e.pwdLogin(tok, by[0], by[1], pwdGood, map[string]any{"claims": map[string]any{"id_token": map[string]any{"username": nil}}})
			wantStatus(t, res, 200, "")
			body := res.JSON(t)
			id := verifyIDToken(t, e, body["id_token"].(string), e.boot.ClientID)
			if amr, _ := id["amr"].([]any); id["sub"] != userID || id["username"] != "ada" || len(amr) != 1 || amr[0] != "pwd" {
				t.Fatalf("ID token claims: %v", id)
			}
			if body["session_id"] == "" || !strings.HasPrefix(body["refresh_token"].(string), "lk_rt_") {
				t.Fatalf("token response: %s", res.Body)
			}
		}
		wrong := e.pwdLogin(tok, "", "ada", pwdOther, nil)
		wantStatus(t, wrong, 400, "auth_invalid_credentials")
		sameError(t, wrong, e.pwdLogin(tok, "", "nobody", pwdOther, nil))
		sameError(t, wrong, e.pwdLogin(tok, "email", "nobody@example.com", pwdGood, nil))
		e.createUser(tok, "nopass@example.com")
		sameError(t, wrong, e.pwdLogin(tok, "email", "nopass@example.com", pwdGood, nil))
		wantStatus(t, e.pwdLogin(tok, "nickname", "ada", pwdGood, nil), 400, "system_invalid_input")
	})
}

func TestPasswordRegisterAndAdminReset(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		userID := e.createUser(tok, "reg@example.com")
		path := "/cis/v1/users/" + userID + "/password"
		wantStatus(t, e.do("POST", path, tok, map[string]any{"password": "short"}), 400, "auth_password_weak")
		wantStatus(t, e.do("POST", path, tok, map[string]any{"password": "Qwertyuiop123!"}), 400, "auth_password_breached")
		wantStatus(t, e.do("PUT", path, tok, map[string]any{"password": pwdGood}), 409, "auth_password_not_configured")
		wantMessage(t, e.do("POST", path, tok, map[string]any{"password": pwdGood, "username": "Reggie"}), 201, "Password registered")
		wantStatus(t, e.do("POST", path, tok, map[string]any{"password": pwdOther}), 409, "auth_password_already_configured")
		wantStatus(t, e.do("POST", "/cis/v1/users/nosuchuser0000/password", tok, map[string]any{"password": pwdGood}), 404, "user_not_found")

		// force_replace defaults to true: the password is temporary.
		res := e.pwdLogin(tok, "", "reggie", pwdGood, nil)
		wantStatus(t, res, 403, "auth_password_temporary")
		if msg := res.JSON(t)["message"].(string); !strings.Contains(msg, "/cis/v1/auth/password/change") {
			t.Fatalf("the temporary-password answer does not say what to do: %q", msg)
		}
		wantStatus(t, e.pwdChange(tok, "reggie", pwdGood, pwdGood, nil), 400, "auth_password_recently_used")
		wantStatus(t, e.pwdChange(tok, "reggie", pwdGood, "weak", nil), 400, "auth_password_weak")
		res = e.pwdChange(tok, "reggie", pwdGood, pwdOther, nil)
		wantStatus(t, res, 200, "")
		first := res.JSON(t)
		wantStatus(t, e.pwdLogin(tok, "", "reggie", pwdOther, nil), 200, "")

		// An administrator's reset ends the sessions; the new password is temporary again.
		wantMessage(t, e.do("PUT", path, e.adminToken(), map[string]any{"password": pwdThird}), 200, "Password updated")
		wantStatus(t, e.do("POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": first["refresh_token"]}), 400, "invalid_grant")
		wantStatus(t, e.pwdLogin(tok, "", "reggie", pwdThird, nil), 403, "auth_password_temporary")
		wantMessage(t, e.do("PUT", path, tok, map[string]any{"password": pwdGood, "force_replace": false}), 200, "Password updated")
		wantStatus(t, e.pwdLogin(tok, "email", "reg@example.com", pwdGood, nil), 200, "")
	})
}

func TestPasswordLockoutTiersE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.setPasswordPrefs(map[string]any{"maxPasswordFailures": 10,
			"lockoutTiers": []any{map[string]any{"attempts": 3, "duration": 5}, map[string]any{"attempts": 6, "duration": 60}}})
		e.pwdCreateUser(tok, "lock@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		fail := func(want int, code, retry string) {
			t.Helper()
			res := e.pwdLogin(tok, "email", "lock@example.com", "Wrong-Guess-0000", nil)
			wantStatus(t, res, want, code)
			if got := res.Header.Get("Retry-After"); got != retry {
				t.Fatalf("Retry-After %q, want %q", got, retry)
			}
		}
		fail(400, "auth_invalid_credentials", "")
		fail(400, "auth_invalid_credentials", "")
		fail(403, "auth_locked", "300")
		wantStatus(t, e.pwdLogin(tok, "email", "lock@example.com", pwdGood, nil), 403, "auth_locked")
		e.clock.Advance(5 * time.Minute)
		fail(400, "auth_invalid_credentials", "")
		fail(400, "auth_invalid_credentials", "")
		fail(403, "auth_locked", "3600")
		e.clock.Advance(time.Hour)
		tok = e.appToken() // the client token expired meanwhile
		wantStatus(t, e.pwdLogin(tok, "email", "lock@example.com", pwdGood, nil), 200, "")
	})
}

func TestPasswordExpiryE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.pwdCreateUser(tok, "exp@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		e.clock.Advance(91 * 24 * time.Hour)
		tok = e.appToken()
		res := e.pwdLogin(tok, "email", "exp@example.com", pwdGood, nil)
		wantStatus(t, res, 403, "auth_password_expired")
		// A wrong password is still just wrong: only the right one learns of the expiry.
		wantStatus(t, e.pwdLogin(tok, "email", "exp@example.com", pwdOther, nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.pwdChange(tok, "exp@example.com", pwdGood, pwdOther, map[string]any{"username_type": "email"}), 200, "")
		wantStatus(t, e.pwdLogin(tok, "email", "exp@example.com", pwdOther, nil), 200, "")
	})
}

func TestPasswordImportRehashE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		bc, err := bcrypt.GenerateFromPassword([]byte("legacy secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		bad := e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "bad@example.com", "credentials": map[string]any{"password_hash": "$2a$04$short"}})
		wantStatus(t, bad, 400, "system_invalid_input")
		userID := e.pwdCreateUser(tok, "imp@example.com", "", map[string]any{"password_hash": string(bc)})
		if got := string(e.storedPassword(userID).Secret); got != string(bc) {
			t.Fatalf("stored hash before login = %q, want the imported one", got)
		}
		wantStatus(t, e.pwdLogin(tok, "email", "imp@example.com", "legacy secret!", nil), 400, "auth_invalid_credentials")
		wantStatus(t, e.pwdLogin(tok, "email", "imp@example.com", "legacy secret", nil), 200, "")
		stored := string(e.storedPassword(userID).Secret)
		if password.Scheme(stored) != password.SchemeArgon2id || password.Shared().NeedsRehash(stored) {
			t.Fatalf("stored hash after login = %q, want argon2id at the current parameters", stored)
		}
		wantStatus(t, e.pwdLogin(tok, "email", "imp@example.com", "legacy secret", nil), 200, "")
	})
}

func TestPasswordMFAE2E(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.pwdCreateUser(tok, "mfa@example.com", "", map[string]any{"password": pwdGood, "force_replace": false})
		res := e.authenticate(tok, "mfa@example.com", e.sendCode(tok, "mfa@example.com", 0), nil)
		wantStatus(t, res, 200, "")
		sid := res.JSON(t)["session_id"].(string)
		res = e.pwdLogin(tok, "email", "mfa@example.com", pwdGood, map[string]any{"session_id": sid})
		wantStatus(t, res, 200, "")
		body := res.JSON(t)
		id := verifyIDToken(t, e, body["id_token"].(string), e.boot.ClientID)
		amr, _ := id["amr"].([]any)
		if body["session_id"] != sid || len(amr) != 3 || amr[0] != "eotp" || amr[1] != "pwd" || amr[2] != "mfa" {
			t.Fatalf("session %v (want %s), amr %v", body["session_id"], sid, amr)
		}
		wantStatus(t, e.pwdLogin(tok, "email", "mfa@example.com", pwdGood, map[string]any{"session_id": "nosuchsession00"}), 400, "session_not_found")
	})
}

// TestPasswordAtCreationLinkingExistingUser creates, from a second application, a user who
// already exists in the tenant. The creation may link them, but not give them a password: a
// password set by one application would sign the user in to every application.
func TestPasswordAtCreationLinkingExistingUser(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		userID := e.createUser(e.appToken(), "shared@example.com")
		_, other := e.secondApp("shop")
		res := e.do("POST", "/cis/v1/users", other, map[string]any{"email": "shared@example.com",
			"credentials": map[string]any{"password": pwdGood, "force_replace": false}})
		wantStatus(t, res, 403, "user_shared")
		// Nothing happened: the user is neither linked to the shop nor given a password.
		wantStatus(t, e.do("GET", "/cis/v1/users/"+userID, other, nil), 404, "user_not_found")
		wantStatus(t, e.pwdLogin(e.appToken(), "email", "shared@example.com", pwdGood, nil), 400, "auth_invalid_credentials")

		res = e.do("POST", "/cis/v1/users", other, map[string]any{"email": "shared@example.com"})
		wantStatus(t, res, 201, "")
		if result(t, res)["user_id"] != userID {
			t.Fatalf("creation made another user: %s", res.Body)
		}
		// The tenant's administrator may still give the shared user a password.
		wantStatus(t, e.do("POST", "/cis/v1/users/"+userID+"/password", e.adminToken(),
			map[string]any{"password": pwdGood, "force_replace": false}), 201, "")
		wantStatus(t, e.pwdLogin(other, "email", "shared@example.com", pwdGood, nil), 200, "")
		wantStatus(t, e.pwdLogin(e.appToken(), "email", "shared@example.com", pwdGood, nil), 200, "")
	})
}
