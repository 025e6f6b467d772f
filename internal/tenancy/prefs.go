package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
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
	if err := inScope(c, appID); err != nil {
		return model.LoginPreferences{}, err
	}
	app, err := s.GetApplication(ctx, c.TenantID, appID)
	if err != nil {
		return model.LoginPreferences{}, err
	}
	return app.Preferences.Normalized(), nil
}

// SetAuthMethods changes an application's login preferences. As in Mosaic, each method
// object present in methods replaces that method's settings wholesale; methods not present
// keep theirs. Methods Latchkey does not implement are kept too (see prefs_unimplemented.go).
// It returns the preferences as stored, with defaults filled in.
func (s *Service) SetAuthMethods(ctx context.Context, c model.Caller, appID string, methods map[string]json.RawMessage) (model.LoginPreferences, error) {
	if err := inScope(c, appID); err != nil {
		return model.LoginPreferences{}, err
	}
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

// methodParser decodes one section of the auth_methods object into a setter, recording a
// problem (and returning nil) when it cannot.
type methodParser func(p *problems, key string, raw json.RawMessage) func(*model.LoginPreferences)

// section returns the parser of a section whose settings are a T stored at field.
func section[T any](field func(*model.LoginPreferences) *T) methodParser {
	return func(p *problems, key string, raw json.RawMessage) func(*model.LoginPreferences) {
		var v T
		if !decodeMethod(p, key, raw, &v) {
			return nil
		}
		return func(lp *model.LoginPreferences) { *field(lp) = v }
	}
}

// methodParsers are the keys SetAuthMethods accepts.
var methodParsers = map[string]methodParser{
	MethodEmailOTP:  section(func(lp *model.LoginPreferences) *model.OTPPreferences { return &lp.EmailOTP }),
	MethodSMS:       section(func(lp *model.LoginPreferences) *model.OTPPreferences { return &lp.SMS }),
	MethodMagicLink: section(func(lp *model.LoginPreferences) *model.MagicLinkPreferences { return &lp.MagicLink }),
	MethodPassword:  section(func(lp *model.LoginPreferences) *model.PasswordPreferences { return &lp.Password }),
	MethodTOTP:      section(func(lp *model.LoginPreferences) *model.TOTPPreferences { return &lp.TOTP }),
	MethodWebAuthn:  section(func(lp *model.LoginPreferences) *model.WebAuthnPreferences { return &lp.WebAuthn }),
	KeyRateLimits:   section(func(lp *model.LoginPreferences) *model.RateLimits { return &lp.Limits }),
}

// parseMethods decodes each method object into a setter and lists every problem: unknown
// method keys, values that are not objects, and fields of the wrong type.
func parseMethods(methods map[string]json.RawMessage) ([]func(*model.LoginPreferences), []string) {
	var p problems
	var set []func(*model.LoginPreferences)
	keys := slices.Sorted(maps.Keys(methods))
	for _, key := range keys {
		parse, ok := methodParsers[key]
		if !ok {
			parse, ok = unimplementedParsers[key]
		}
		if !ok {
			supported := slices.Sorted(maps.Keys(methodParsers))
			p.addf("%q is not a login method; supported: %s; kept without being implemented: %s", key,
				strings.Join(supported, ", "), strings.Join(model.UnimplementedMethods, ", "))
			continue
		}
		if setter := parse(&p, key, methods[key]); setter != nil {
			set = append(set, setter)
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
