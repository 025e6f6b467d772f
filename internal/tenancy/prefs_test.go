package tenancy

import (
	"encoding/json"
	"reflect"
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
	wantProblems(t, err, "invalid methods", `"carrier_pigeon" is not a supported login method`, "sms must be an object",
		"email.expiresIn must be a whole number", "email_otp.codeLength must be between 4 and 8", "email_otp.maxFailures must be between 1 and 20",
		"email_otp.message.from must be an email address", "email_otp.message.primaryColor must be a hex colour")
	after, _ := f.svc.LoginPreferences(t.Context(), c, b.AppID)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a rejected change was stored: %+v", after)
	}
	_, err = f.svc.SetAuthMethods(t.Context(), c, model.NewID(), methods(t, `{"sms": {}}`))
	wantFault(t, err, fault.NotFound, fault.CodeAppNotFound, "preferences of a missing application")
}
