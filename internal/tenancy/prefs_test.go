package tenancy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func methods(t *testing.T, js string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	must(t, json.Unmarshal([]byte(js), &m), "decode methods")
	return m
}

func TestLoginPreferencesDefaults(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	got, err := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	must(t, err, "get preferences")
	if !reflect.DeepEqual(got, (model.LoginPreferences{}).Normalized()) {
		t.Errorf("preferences of a new application: got %+v, want the defaults", got)
	}
	if got.EmailOTP.CodeLength != model.DefaultOTPCodeLength || got.MagicLink.ExpiresIn != model.DefaultLinkExpiresIn {
		t.Errorf("defaults not filled in: %+v", got)
	}
}

func TestSetAuthMethodsReplacesWholesale(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	got, err := f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{
		"email_otp": {"expiresIn": 10, "codeLength": 8, "message": {"subject": "Your code"}},
		"email": {"linksPerUser": 7}
	}`))
	must(t, err, "set auth methods")
	if got.EmailOTP.ExpiresIn != 10 || got.EmailOTP.CodeLength != 8 || got.EmailOTP.MaxFailures != model.DefaultOTPMaxFailures ||
		got.EmailOTP.Message.Subject != "Your code" || got.MagicLink.LinksPerUser != 7 {
		t.Errorf("after first set: got %+v", got)
	}

	got, err = f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{"email_otp": {"maxFailures": 3}, "sms": {"codeLength": 4}}`))
	must(t, err, "set auth methods again")
	if got.EmailOTP.MaxFailures != 3 || got.EmailOTP.ExpiresIn != model.DefaultOTPExpiresIn ||
		got.EmailOTP.CodeLength != model.DefaultOTPCodeLength || got.EmailOTP.Message.Subject != "" {
		t.Errorf("email_otp was not replaced wholesale: %+v", got.EmailOTP)
	}
	if got.MagicLink.LinksPerUser != 7 || got.SMS.CodeLength != 4 {
		t.Errorf("methods not named were changed, or sms not set: %+v", got)
	}
	stored, err := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	must(t, err, "get preferences")
	if !reflect.DeepEqual(stored, got) {
		t.Errorf("stored preferences: got %+v, want %+v", stored, got)
	}
}

func TestSetAuthMethodsListsEveryProblem(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	before, _ := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	_, err := f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{
		"carrier_pigeon": {},
		"sms": "fast",
		"email": {"expiresIn": "soon"},
		"email_otp": {"codeLength": 12, "maxFailures": 50, "message": {"from": "not an address", "primaryColor": "red"}}
	}`))
	wantProblems(t, err, "invalid methods", `"carrier_pigeon" is not a login method`, "sms must be an object",
		"email.expiresIn must be a whole number", "email_otp.codeLength must be between 4 and 8", "email_otp.maxFailures must be between 1 and 20",
		"email_otp.message.from must be an email address", "email_otp.message.primaryColor must be a hex colour")
	after, _ := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a rejected change was stored: %+v", after)
	}
	_, err = f.svc.SetAuthMethods(t.Context(), c, model.NewID(), methods(t, `{"sms": {}}`))
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "preferences of a missing application")
}

// TestUnimplementedMethodsAreKeptWithoutSecrets checks that the sections of methods Latchkey
// does not implement are accepted in Mosaic's shape and kept, less their secrets, beside the
// implemented ones; a later call that leaves them out keeps them.
func TestUnimplementedMethodsAreKeptWithoutSecrets(t *testing.T) {
	f := newFixture(t)
	c, b := f.admin(t)
	got, err := f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{
		"google": {"clientId": "g-1", "clientSecret": "g-secret", "redirectUris": ["https://shop.example/g"]},
		"apple": {"clientId": "a-1", "clientSecret": "a-secret", "appleTeamId": "TEAM", "keyId": "KEY"},
		"push": {"apn": {"key": "apn-secret", "keyId": "K", "teamId": "T", "bundle": "com.shop", "isProduction": true},
			"fcm": {"key": {"private_key": "fcm-secret"}}},
		"pin_authenticator": {"maxFailures": 3, "lockoutTiers": [{"attempts": 3, "duration": 15}]},
		"face": {"saveImageEmbedding": false},
		"sms": {"codeLength": 4}
	}`))
	must(t, err, "set auth methods")
	if got.SMS.CodeLength != 4 {
		t.Errorf("implemented method beside the others: sms.codeLength = %d", got.SMS.CodeLength)
	}
	want := map[string]string{
		"google":            `{"clientId":"g-1","redirectUris":["https://shop.example/g"]}`,
		"apple":             `{"clientId":"a-1","appleTeamId":"TEAM","keyId":"KEY"}`,
		"push":              `{"apn":[{"keyId":"K","teamId":"T","bundle":"com.shop","isProduction":true}],"fcm":{}}`,
		"pin_authenticator": `{"lockoutTiers":[{"attempts":3,"duration":15}],"maxFailures":3}`,
		"face":              `{"saveImageEmbedding":false}`,
	}
	stored, err := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	must(t, err, "get preferences")
	for _, p := range []model.LoginPreferences{got, stored} {
		if len(p.Unimplemented) != len(want) {
			t.Errorf("kept sections: got %d %v, want %d", len(p.Unimplemented), p.UnimplementedSet(), len(want))
		}
		for key, js := range want {
			if string(p.Unimplemented[key]) != js {
				t.Errorf("%s kept as %s, want %s", key, p.Unimplemented[key], js)
			}
		}
	}
	raw, err := json.Marshal(stored)
	must(t, err, "encode preferences")
	for _, sec := range []string{"g-secret", "a-secret", "apn-secret", "fcm-secret"} {
		if strings.Contains(string(raw), sec) {
			t.Errorf("a secret was kept: %s in %s", sec, raw)
		}
	}

	// A later call replaces only the sections it names.
	_, err = f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{"google": {"clientId": "g-2"}}`))
	must(t, err, "replace google")
	stored, _ = f.svc.LoginPreferences(t.Context(), c, b.AppID)
	if string(stored.Unimplemented["google"]) != `{"clientId":"g-2"}` || string(stored.Unimplemented["face"]) != want["face"] {
		t.Errorf("after replacing google: %v", stored.Unimplemented)
	}

	// Each section is checked as the implemented ones are; nothing is kept when one fails.
	_, err = f.svc.SetAuthMethods(t.Context(), c, b.AppID, methods(t, `{
		"facebook": {"clientSecret": "x"}, "apple": {"clientId": "a"}, "line": {"clientId": 7},
		"push": {"apn": "nope"}, "face": {"maxFailures": 99}, "tiktok": [1]
	}`))
	wantProblems(t, err, "invalid unimplemented sections", "facebook.clientId is required",
		"apple.appleTeamId is required", "apple.keyId is required", "line.clientId must be a string",
		"push.apn must be an object or a list", "face.maxFailures must be between 1 and 20", "tiktok must be an object")
	after, _ := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	if !reflect.DeepEqual(after.Unimplemented, stored.Unimplemented) {
		t.Errorf("a refused call changed the kept sections: %v", after.Unimplemented)
	}
}
