package e2e

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/passkey/passkeytest"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// tenantRecords are one tenant's records aimed at by the isolation tests, and its tokens.
type tenantRecords struct {
	TenantID, AppID, MgmtAppID                 string
	ClientID, AdminClientID, ExtraClientID     string
	ClientSecret, AdminSecret                  string
	ResourceID, ResourceURI                    string
	GroupID, GroupName                         string // a group with the user as its member
	UserID, Email, Phone, Username, ExternalID string
	SessionID, PendingCode, PendingLink        string
	// AccessToken and RefreshToken are the user's, from the login that made SessionID.
	AccessToken, RefreshToken string
	admin, client             string // client access tokens

	// What seedCredentials adds: the user's TOTP credential and recovery codes, a passkey,
	// two passkey ceremonies started and answered but not finished (a login and a
	// registration of another authenticator), pending password reset codes (one typed, one
	// from a link), and the tenant's audit webhook.
	TOTP                          totpEnrolment
	RecoveryCodes                 []string
	PasskeyID                     string
	passkey                       *passkeytest.Authenticator // holds the passkey's private key
	PasskeyLogin, PasskeyRegister string                     // encoded authenticator answers
	Ceremonies                    []string
	// Cross-device flows (seedCrossDevice): a login and a registration started and answered
	// on the authenticating device but not finished, and a login nobody has taken up.
	XDLogin, XDRegister, XDPending  string
	XDLoginResult, XDRegisterResult string
	Tickets                         []string
	ResetCode, ResetLink            string
	WebhookURL                      string
}

// seedTenant gives a bootstrapped tenant a resource assigned to its client, a second client,
// a user with every identifier, a session of that user and a code waiting to be redeemed.
func seedTenant(e *env, boot tenancy.Bootstrap, tag, phone string) *tenantRecords {
	e.t.Helper()
	r := &tenantRecords{
		TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID, AdminClientID: boot.AdminClientID,
		ClientSecret: boot.ClientSecret, AdminSecret: boot.AdminClientSecret,
		ResourceURI: "https://api." + tag + ".example/v1", Email: tag + "@" + tag + ".example",
		Phone: phone, Username: tag + "_user", ExternalID: "ext-" + tag,
	}
	admin, err := e.store.GetClient(context.Background(), boot.AdminClientID)
	if err != nil {
		e.t.Fatal(err)
	}
	r.MgmtAppID = admin.AppID
	r.admin = e.clientToken(r.AdminClientID, r.AdminSecret)
	r.client = e.clientToken(r.ClientID, r.ClientSecret)

	res := e.do("POST", "/cis/v1/resources", r.admin, map[string]any{"uri": r.ResourceURI, "name": tag + " API"})
	wantStatus(e.t, res, 201, "")
	r.ResourceID = result(e.t, res)["resource_id"].(string)
	res = e.do("POST", "/cis/v1/applications/"+r.AppID+"/clients", r.admin, map[string]any{"name": "Second", "resources": []string{r.ResourceID}})
	wantStatus(e.t, res, 201, "")
	r.ExtraClientID = res.JSON(e.t)["client_id"].(string)
	res = e.do("PUT", "/cis/v1/applications/"+r.AppID+"/clients/"+r.ClientID+"/resources", r.admin, map[string]any{"resource_ids": []string{r.ResourceID}})
	wantStatus(e.t, res, 200, "")

	res = e.do("POST", "/cis/v1/users", r.client, map[string]any{
		"email": r.Email, "phone_number": r.Phone, "username": r.Username, "external_user_id": r.ExternalID,
		"name": map[string]any{"first_name": tag}, "custom_app_data": map[string]any{"tier": tag},
	})
	wantStatus(e.t, res, 201, "")
	r.UserID = result(e.t, res)["user_id"].(string)

	r.GroupName = tag + " staff"
	res = e.do("POST", "/cis/v1/groups", r.client, map[string]any{"name": r.GroupName, "custom_data": map[string]any{"tier": tag}})
	wantStatus(e.t, res, 201, "")
	r.GroupID = result(e.t, res)["group_id"].(string)
	wantStatus(e.t, e.do("POST", "/cis/v1/groups/"+r.GroupID+"/users", r.client, map[string]any{"user_ids": []string{r.UserID}}), 204, "")

	res = e.authenticate(r.client, r.Email, directCode(e, r.client, r.Email), nil)
	wantStatus(e.t, res, 200, "")
	login := res.JSON(e.t)
	r.SessionID = login["session_id"].(string)
	r.AccessToken, _ = login["access_token"].(string)
	r.RefreshToken, _ = login["refresh_token"].(string)
	if r.AccessToken == "" || r.RefreshToken == "" {
		e.t.Fatalf("login gave no user access or refresh token: %s", res.Body)
	}
	r.PendingCode = directCode(e, r.client, r.Email)
	r.PendingLink = directLinkCode(e, r.client, r.Email)
	return r
}

// seedCredentials gives the user of r a password, a confirmed TOTP credential, recovery
// codes and a passkey; starts and answers a passkey login and registration without finishing
// them; asks for two password resets; and points the tenant's audit events at a webhook.
// WebAuthn must be enabled for r's application.
func seedCredentials(e *env, r *tenantRecords, tag string) {
	e.t.Helper()
	t := e.t
	res := e.do("POST", "/cis/v1/users/"+r.UserID+"/password", r.client, map[string]any{"password": pwdGood, "force_replace": false})
	wantStatus(t, res, 201, "")
	r.TOTP = e.enrolConfirmedTOTP(r.client, r.UserID)
	r.RecoveryCodes = e.recoveryCodes(r.client, r.UserID)

	key := passkeytest.New(waOrigin)
	res = e.registerPasskey(r.client, map[string]any{"user_id": r.UserID}, nil, key)
	wantStatus(t, res, 200, "")
	r.PasskeyID = res.JSON(t)["credential_id"].(string)
	r.passkey = key
	login := e.startPasskeyLogin(r.ClientID, r.Email)
	r.PasskeyLogin = encodedResult(t, key, login, false)
	reg := startedCeremony(t, e.do("POST", "/cis/v1/auth/webauthn/external/register/start", r.client,
		map[string]any{"user_id": r.UserID}), "credential_creation_options")
	r.PasskeyRegister = encodedResult(t, passkeytest.New(waOrigin), reg, true)
	r.Ceremonies = []string{login.id, reg.id}
	seedCrossDevice(e, r)

	reset := func(body map[string]any) map[string]any {
		res := e.do("POST", "/cis/v1/auth/password/reset/send", r.client, body)
		wantStatus(t, res, 200, "")
		return res.JSON(t)
	}
	r.ResetCode = reset(map[string]any{"identifier_type": "email", "identifier": r.Email, "channel": "direct"})["code"].(string)
	link, err := url.Parse(reset(map[string]any{"identifier_type": "username", "identifier": r.Username,
		"channel": "direct", "redirect_uri": demoRedirect})["link"].(string))
	if err != nil || link.Query().Get("code") == "" {
		t.Fatalf("password reset link carries no code: %v", err)
	}
	r.ResetLink = link.Query().Get("code")

	r.WebhookURL = "https://hooks." + tag + ".example/audit"
	wantStatus(t, e.do("PUT", "/cis/v1/audit/webhook", r.admin, map[string]any{"url": r.WebhookURL}), 200, "")
	if _, n, err := e.store.ListAudit(context.Background(), model.AuditQuery{TenantID: r.TenantID, Limit: 1}); err != nil || n == 0 {
		t.Fatalf("tenant %s has %d audit events (%v), want some", tag, n, err)
	}
}

// demoRedirect is the redirect URI bootstrap gives every tenant's demo client.
const demoRedirect = "http://localhost:3000/callback"

// directLinkCode creates a magic link by the direct channel and returns the code it carries.
func directLinkCode(e *env, bearer, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/link/email/send", bearer, map[string]any{
		"channel": "direct", "identifier_type": "email", "identifier": email, "redirect_uri": demoRedirect})
	wantStatus(e.t, res, 200, "")
	link, err := url.Parse(res.JSON(e.t)["link"].(string))
	if err != nil || link.Query().Get("code") == "" {
		e.t.Fatalf("direct magic link carries no code: %s", res.Body)
	}
	return link.Query().Get("code")
}

// directCode sends a code by the direct channel and returns it.
func directCode(e *env, bearer, email string) string {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/auth/otp/send", bearer, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": email})
	wantStatus(e.t, res, 200, "")
	return res.JSON(e.t)["code"].(string)
}

// result returns the "result" object of a response.
func result(t *testing.T, res response) map[string]any {
	t.Helper()
	m, ok := res.JSON(t)["result"].(map[string]any)
	if !ok {
		t.Fatalf("response has no result object: %s", res.Body)
	}
	return m
}

// seedCrossDevice gives r's application three cross-device flows: a login of r's user and the
// registration of a new user's passkey, each started and answered on the authenticating
// device, and a login no device has taken up.
func seedCrossDevice(e *env, r *tenantRecords) {
	e.t.Helper()
	t := e.t
	begin := func(path, bearer, body string) string {
		return xdTicket(t, e.raw("POST", xdBase+path, bearer, body))
	}
	r.XDLogin = begin("/authenticate/init", "", fmt.Sprintf(`{"client_id": %q, "username": %q}`, r.ClientID, r.Email))
	login := startedCeremony(t, e.raw("POST", xdBase+"/authenticate/start", "", ticketBody(r.XDLogin)), "credential_request_options")
	r.XDLoginResult = mosaicEncodedResult(t, r.passkey, login, false)
	r.XDRegister = begin("/external/register/init", r.client, `{"external_user_id": "xd-new", "username": "newcomer"}`)
	reg := startedCeremony(t, e.raw("POST", xdBase+"/register/start", "", ticketBody(r.XDRegister)), "credential_creation_options")
	r.XDRegisterResult = mosaicEncodedResult(t, passkeytest.New(waOrigin), reg, true)
	r.XDPending = begin("/authenticate/init", "", fmt.Sprintf(`{"client_id": %q}`, r.ClientID))
	r.Ceremonies = append(r.Ceremonies, login.id, reg.id)
	r.Tickets = []string{r.XDLogin, r.XDRegister, r.XDPending}
}
