package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Login method keys of the auth_methods object.
const (
	MethodEmailOTP  = "email_otp"
	MethodSMS       = "sms"
	MethodMagicLink = "email"
	MethodWebAuthn  = "webauthn_api"
	MethodTOTP      = "totp"
	MethodPassword  = "password"
	// KeyRateLimits is not a login method but travels in the same object: the application's
	// send and failure limits.
	KeyRateLimits = "rate_limits"
)

// LoginPreferences returns an application's login preferences with every default filled in.
func (s *Service) LoginPreferences(ctx context.Context, c model.Caller, appID string) (model.LoginPreferences, error) {
	app, err := s.GetApplication(ctx, c.TenantID, appID)
	if err != nil {
		return model.LoginPreferences{}, err
	}
	return app.Preferences.Normalized(), nil
}

// SetAuthMethods changes an application's login preferences. As in Mosaic, each method
// object present in methods replaces that method's settings wholesale; methods not present
// keep theirs. It returns the preferences as stored, with defaults filled in.
func (s *Service) SetAuthMethods(ctx context.Context, c model.Caller, appID string, methods map[string]json.RawMessage) (model.LoginPreferences, error) {
	set, p := parseMethods(methods)
	var out model.LoginPreferences
	err := s.store.UpdateApplication(ctx, c.TenantID, appID, func(cur model.Application) (model.Application, error) {
		prefs := cur.Preferences
		for _, apply := range set {
			apply(&prefs)
		}
		all := append(slices.Clone(p), prefs.Problems()...)
		if len(all) > 0 {
			return cur, fault.Validation(all...)
		}
		cur.Preferences = prefs
		cur.UpdatedAt = s.timestamp()
		out = prefs.Normalized()
		return cur, nil
	})
	if err != nil {
		return model.LoginPreferences{}, storeErr(err, errAppNotFound, "set login preferences")
	}
	return out, nil
}

// supportedMethods lists the keys SetAuthMethods accepts, for its error message.
var supportedMethods = []string{MethodEmailOTP, MethodSMS, MethodMagicLink, MethodPassword, MethodTOTP, MethodWebAuthn, KeyRateLimits}

// parseMethods decodes each method object into a setter and lists every problem: unknown
// method keys, values that are not objects, and fields of the wrong type.
func parseMethods(methods map[string]json.RawMessage) ([]func(*model.LoginPreferences), []string) {
	var p problems
	var set []func(*model.LoginPreferences)
	keys := make([]string, 0, len(methods))
	for k := range methods {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		raw := methods[key]
		switch key {
		case MethodEmailOTP, MethodSMS:
			var v model.OTPPreferences
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) {
					if key == MethodSMS {
						lp.SMS = v
					} else {
						lp.EmailOTP = v
					}
				})
			}
		case MethodMagicLink:
			var v model.MagicLinkPreferences
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) { lp.MagicLink = v })
			}
		case MethodTOTP:
			var v model.TOTPPreferences
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) { lp.TOTP = v })
			}
		case MethodWebAuthn:
			var v model.WebAuthnPreferences
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) { lp.WebAuthn = v })
			}
		case MethodPassword:
			var v model.PasswordPreferences
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) { lp.Password = v })
			}
		case KeyRateLimits:
			var v model.RateLimits
			if decodeMethod(&p, key, raw, &v) {
				set = append(set, func(lp *model.LoginPreferences) { lp.Limits = v })
			}
		default:
			p.addf("%q is not a supported login method; supported: %s", key, strings.Join(supportedMethods, ", "))
		}
	}
	return set, p
}

// decodeMethod decodes one method object into dst, recording a problem when it fails.
func decodeMethod(p *problems, key string, raw json.RawMessage, dst any) bool {
	trimmed := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(trimmed, "{") {
		p.addf("%s must be an object", key)
		return false
	}
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		p.addf("%s.%s must be %s", key, te.Field, typeName(te.Type.Kind().String()))
	} else {
		p.addf("%s is not valid JSON", key)
	}
	return false
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	default:
		return "a whole number"
	}
}
