package auth_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/token"
)

// A claims request that names something Latchkey would have to ignore is refused as it is
// decoded, with a message naming the place and, for a claim Mosaic documents, the reason.
func TestClaimsRequestRefusals(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"id_token":{"ts_roles":null}}`, `claims.id_token: claim "ts_roles" cannot be requested: client roles`},
		{`{"access_token":{"ts_permissions":null}}`, `claims.access_token: claim "ts_permissions" cannot be requested`},
		{`{"id_token":{"webauthn":{"essential":true}}}`, `claim "webauthn" cannot be requested: passkey details`},
		{`{"id_token":{"shoe_size":null}}`, `claim "shoe_size" is not a claim Latchkey's tokens carry`},
		{`{"id_token":{"email":"yes"}}`, `claims.id_token.email must be null or an object`},
		{`{"id_token":{"email":{"value":"a@example.com"}}}`, `claims.id_token.email.value is not supported`},
		{`{"id_token":{"email":{"fields":["a"]}}}`, `claims.id_token.email.fields applies only to custom_data and custom_app_data`},
		{`{"id_token":{"custom_data":{"fields":"a"}}}`, `claims.id_token.custom_data.fields must be an array of field names`},
		{`{"id_token":{"custom_data":{"fields":[""]}}}`, `fields of 1 to 256 bytes`},
		{`{"id_token":{"email":{"essential":"yes"}}}`, `claims.id_token.email.essential must be a boolean`},
		{`{"userinfo":{"email":null}}`, `claims.userinfo cannot be requested`},
		{`{"idtoken":{"email":null}}`, `claims.idtoken is not supported`},
		{`{"id_token":"x"}`, `claims.id_token must be an object`},
		{`["id_token"]`, `claims must be an object`},
	} {
		var r auth.ClaimsRequest
		err := json.Unmarshal([]byte(c.body), &r)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.body, err, c.want)
		}
	}
	// Several problems are all reported.
	var r auth.ClaimsRequest
	err := json.Unmarshal([]byte(`{"id_token":{"ts_roles":null,"webauthn":null},"access_token":{"ts_permissions":null}}`), &r)
	for _, name := range []string{"ts_roles", "webauthn", "ts_permissions"} {
		if err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("several problems: %v does not name %s", err, name)
		}
	}

	ok := `{"id_token":{"email":null,"sub":null,"custom_data":{"fields":["plan"],"essential":true}},"access_token":{"new_user":{}}}`
	if err := json.Unmarshal([]byte(ok), &r); err != nil {
		t.Fatalf("a valid request is refused: %v", err)
	}
	if got := r.IDToken["custom_data"]; !got.Essential || len(got.Fields) != 1 || got.Fields[0] != "plan" {
		t.Errorf("custom_data spec %+v", got)
	}
	if _, ok := r.AccessToken["new_user"]; !ok {
		t.Errorf("access token claims %+v", r.AccessToken)
	}
	for _, body := range []string{`null`, `{}`, `{"id_token":null}`} {
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Errorf("%s is refused: %v", body, err)
		}
	}
}

// A claims request built in code, not decoded, is checked when the login is recorded: nothing
// is written and the code is not spent.
func TestRecordLoginChecksUndecodedClaims(t *testing.T) {
	f := newFixture(t, auth.Options{})
	f.User("checked@example.com", "")
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: "checked@example.com"})
	req := otp.OTPAuthenticate{Passcode: out.Code, IdentifierType: "email", Identifier: "checked@example.com",
		Login: auth.Login{Claims: auth.ClaimsRequest{IDToken: map[string]auth.ClaimSpec{"ts_roles": {}}}}}
	_, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, req)
	if err == nil || !strings.Contains(err.Error(), `"ts_roles"`) {
		t.Fatalf("undecoded ts_roles request: %v", err)
	}
	req.Login.Claims = auth.ClaimsRequest{}
	if _, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, req); err != nil {
		t.Fatalf("the refused request spent the code: %v", err)
	}
}

// Every claim the catalog says Latchkey produces on request is in the tokens of a user who has
// a value for it, in the ID token and in the access token alike; custom data can be narrowed
// to fields.
func TestEveryRequestableClaimIsProduced(t *testing.T) {
	f := newFixture(t, auth.Options{})
	now := f.Clock.Now()
	u := model.User{
		ID: model.NewID(), TenantID: f.Boot.TenantID, Email: "every@example.com", PhoneNumber: "+14155550100",
		Username: "every", ExternalUserID: "ext-1", Birthday: "1990-01-02", Picture: "https://example.com/p.png",
		Language: "en", SecondaryEmails: []string{"two@example.com"}, SecondaryPhones: []string{"+14155550101"},
		Name:       model.Name{FirstName: "Eve", LastName: "Ry", MiddleName: "M"},
		Address:    model.Address{Country: "US", City: "Springfield", StreetAddress: "1 Main St", Type: "Home"},
		CustomData: json.RawMessage(`{"plan":"gold","tier":2}`), Status: model.UserActive, CreatedAt: now, UpdatedAt: now,
	}
	if err := f.Store.CreateUser(f.Ctx, u); err != nil {
		t.Fatal(err)
	}
	link := model.AppUser{TenantID: f.Boot.TenantID, AppID: f.Boot.AppID, UserID: u.ID, CreatedAt: now, CustomAppData: json.RawMessage(`{"seat":7}`),
		ExternalAccountID: "acct-7"}
	if err := f.Store.LinkUser(f.Ctx, link); err != nil {
		t.Fatal(err)
	}
	group := model.Group{ID: model.NewID(), TenantID: f.Boot.TenantID, Name: "staff", CustomData: json.RawMessage(`{"floor":3}`), CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateGroup(f.Ctx, group); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.AddGroupUsers(f.Ctx, f.Boot.TenantID, group.ID, []string{u.ID}, now); err != nil {
		t.Fatal(err)
	}
	// The organization claims need a login to an organization the user is a member of.
	org := model.Organization{ID: model.NewID(), TenantID: f.Boot.TenantID, Name: "acme", Enabled: true,
		AppIDs: []string{f.Boot.AppID}, CreatedAt: now, UpdatedAt: now}
	if err := f.Store.CreateOrganization(f.Ctx, org); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.CreateMember(f.Ctx, model.Member{TenantID: f.Boot.TenantID, OrgID: org.ID, UserID: u.ID,
		Enabled: true, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Minute)

	all := map[string]auth.ClaimSpec{}
	for _, name := range token.RequestableClaims() {
		all[name] = auth.ClaimSpec{}
	}
	out := f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: u.Email,
		ApprovalData: json.RawMessage(`{"sum":"200"}`)})
	tok, err := f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: out.Code, IdentifierType: "email",
		Identifier: u.Email, Login: auth.Login{Claims: auth.ClaimsRequest{IDToken: all, AccessToken: all},
			ClientAttributes: model.ClientAttributes{OrgID: org.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for kind, raw := range map[string]string{"ID token": tok.IDToken, "access token": tok.AccessToken} {
		var claims map[string]any
		if err := f.Tokens.Verify(f.Ctx, raw, &claims); err != nil {
			t.Fatal(err)
		}
		for _, name := range token.RequestableClaims() {
			if _, ok := claims[name]; !ok {
				t.Errorf("%s: claim %s was requested and has a value, but is missing", kind, name)
			}
		}
		if claims["scope"] != auth.DefaultUserScope || claims["new_user"] != false || claims["app_name"] == "" {
			t.Errorf("%s: scope %v new_user %v app_name %v", kind, claims["scope"], claims["new_user"], claims["app_name"])
		}
		if claims["external_account_id"] != "acct-7" {
			t.Errorf("%s: external_account_id %v", kind, claims["external_account_id"])
		}
		emails, _ := json.Marshal(claims["secondary_emails"])
		if string(emails) != `[{"email_verified":false,"value":"two@example.com"}]` {
			t.Errorf("%s: secondary_emails %s", kind, emails)
		}
	}

	// Narrowed custom data.
	out = f.SendOTP(otp.OTPSend{Channel: "direct", IdentifierType: "email", Identifier: u.Email})
	tok, err = f.OTP.AuthenticateOTP(f.Ctx, f.Caller, otp.OTPAuthenticate{Passcode: out.Code, IdentifierType: "email",
		Identifier: u.Email, Login: auth.Login{Claims: auth.ClaimsRequest{IDToken: map[string]auth.ClaimSpec{
			"custom_data": {Fields: []string{"plan", "absent"}}, "custom_app_data": {Fields: []string{"absent"}},
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	var id map[string]any
	if err := f.Tokens.Verify(f.Ctx, tok.IDToken, &id); err != nil {
		t.Fatal(err)
	}
	cd, _ := json.Marshal(id["custom_data"])
	if string(cd) != `{"plan":"gold"}` {
		t.Errorf("custom_data narrowed to plan: %s", cd)
	}
	if _, ok := id["custom_app_data"]; ok {
		t.Errorf("custom_app_data with none of its fields should be omitted: %v", id["custom_app_data"])
	}
}
