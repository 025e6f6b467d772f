package e2e

import "testing"

// An application of the tenant must not be able to give a passkey to a user of another of the
// tenant's applications by naming their external user id.
func TestPasskeyRegistrationCannotTakeAnotherApplicationsUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	res := e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "vic@example.com", "external_user_id": "ext-vic"})
	wantStatus(t, res, 201, "")
	otherApp, otherTok := e.secondApp("mallory")
	e.enableWebAuthn(otherApp, nil)
	start := map[string]any{"external_user_id": "ext-vic", "username": "vic"}
	wantStatus(t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", otherTok, start), 404, "user_not_found")
}

// Linking an existing user by their email (as Mosaic's user creation does) must not give the
// linking application control of the account: its identifiers, status and credentials stay
// out of reach of any one application's client while other applications share the user.
func TestSharedUserIsNotTheLinkingApplicationsToChange(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	uid := e.createUser(tok, "vic@example.com")
	_, otherTok := e.secondApp("mallory")

	// Creating with the victim's email links the existing user; credentials are refused.
	res := e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "vic@example.com", "credentials": map[string]any{"password": "Zq8!mRt#2vLp@9wXy"}})
	wantStatus(t, res, 403, "user_shared")
	res = e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "vic@example.com"})
	wantStatus(t, res, 201, "")
	if got := res.JSON(t)["result"].(map[string]any)["user_id"]; got != uid {
		t.Fatalf("linked user %v, want %s", got, uid)
	}

	// Now shared, the user's login identifiers and credentials are the admin's to change.
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, otherTok, map[string]any{"email": "mallory@example.com"}), 403, "user_shared")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+uid+"/password", otherTok, map[string]any{"password": "Zq8!mRt#2vLp@9wXy", "force_replace": false}), 403, "user_shared")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+uid+"/totp", otherTok, map[string]any{}), 403, "user_shared")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+uid+"/recovery-codes", otherTok, nil), 403, "user_shared")
	// The original application is now in the same position; the tenant admin is not.
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, tok, map[string]any{"status": "Disabled"}), 403, "user_shared")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, e.adminToken(), map[string]any{"email": "vic2@example.com"}), 200, "")
	// Profile data that signs nobody in stays editable.
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, otherTok, map[string]any{"name": map[string]any{"first_name": "Vic"}}), 200, "")
}

func TestClientAttributesAreValidated(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.createUser(tok, "ua@example.com")
	res := e.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email",
		"identifier": "ua@example.com", "client_attributes": map[string]any{"ip_address": "999.1.1.1"}})
	wantStatus(t, res, 400, "system_invalid_input")
	if msg, _ := res.JSON(t)["message"].(string); msg != "client_attributes.ip_address must be an IPv4 or IPv6 address" {
		t.Fatalf("message %q does not name the problem", msg)
	}
}

// A user's login names share one failure budget: guessing by email and then by username does
// not give an attacker twice the attempts.
func TestPasswordFailuresCountPerUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	tok := e.appToken()
	e.pwdCreateUser(tok, "ann@example.com", "ann", map[string]any{"password": pwdGood, "force_replace": false})
	for i := 0; i < 3; i++ {
		wantStatus(t, e.pwdLogin(tok, "email", "ann@example.com", pwdOther, nil), 400, "auth_invalid_credentials")
	}
	for i := 0; i < 2; i++ {
		res := e.pwdLogin(tok, "username", "ann", pwdOther, nil)
		if res.Status != 400 && res.Status != 403 {
			t.Fatalf("wrong password by username: %d %s", res.Status, res.Body)
		}
	}
	wantStatus(t, e.pwdLogin(tok, "email", "ann@example.com", pwdGood, nil), 403, "auth_locked")
}

// TOTP guesses by email and by username count against the same user.
func TestTOTPFailuresCountPerUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.adminToken()
	wantStatus(t, e.do("PUT", "/cis/loginPreferences/"+e.boot.AppID+"/authMethods", admin,
		map[string]any{"rate_limits": map[string]any{"failuresPerIdentifier": 2}}), 200, "")
	tok := e.appToken()
	res := e.do("POST", "/cis/v1/users", tok, map[string]any{"email": "tia@example.com", "username": "tia"})
	wantStatus(t, res, 201, "")
	try := func(idType, id string) response {
		return e.do("POST", "/cis/v1/auth/totp/authenticate", tok, map[string]any{"token": "000000", "identifier_type": idType, "identifier": id})
	}
	wantStatus(t, try("email", "tia@example.com"), 400, "auth_invalid_credentials")
	wantStatus(t, try("username", "tia"), 403, "auth_locked")
	wantStatus(t, try("email", "tia@example.com"), 403, "auth_locked")
}

// A user no application is linked to (the admin's, or one an application let go) is not the
// first linking application's to take over: its identifiers, credentials and tenant-wide
// custom data stay the admin's, while a user the application created stays its own.
func TestUnlinkedUserIsNotTheLinkingApplicationsToChange(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.adminToken()
	res := e.do("POST", "/cis/v1/users", admin, map[string]any{"email": "boss@example.com"})
	wantStatus(t, res, 201, "")
	uid, _ := res.JSON(t)["result"].(map[string]any)["user_id"].(string)
	_, otherTok := e.secondApp("mallory")

	res = e.do("POST", "/cis/v1/users", otherTok, map[string]any{"email": "boss@example.com"})
	wantStatus(t, res, 201, "")
	if got := res.JSON(t)["result"].(map[string]any)["user_id"]; got != uid {
		t.Fatalf("linked user %v, want %s", got, uid)
	}
	wantStatus(t, e.do("POST", "/cis/v1/users/"+uid+"/password", otherTok, map[string]any{"password": "Zq8!mRt#2vLp@9wXy", "force_replace": false}), 403, "user_shared")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, otherTok, map[string]any{"email": "mallory@example.com"}), 403, "user_shared")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+uid, otherTok, map[string]any{"custom_data": map[string]any{"role": "admin"}}), 403, "user_shared")

	// A user the application created is its own to change.
	own := e.createUser(otherTok, "own@example.com")
	wantStatus(t, e.do("PUT", "/cis/v1/users/"+own, otherTok, map[string]any{"email": "own2@example.com", "custom_data": map[string]any{"tier": 2}}), 200, "")
	wantStatus(t, e.do("POST", "/cis/v1/users/"+own+"/password", otherTok, map[string]any{"password": "Zq8!mRt#2vLp@9wXy", "force_replace": false}), 201, "")
}
