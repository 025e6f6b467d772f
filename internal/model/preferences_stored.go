package model

import (
	"encoding/json"
	"slices"
)

// Login methods of Mosaic's auth_methods object that Latchkey does not implement. An
// application may still set them, as a Mosaic integration does: their settings are kept (less
// any secret, see tenancy) and shown back, so that moving to Latchkey loses nothing, while the
// API says that no login flow reads them.
const (
	MethodGoogle           = "google"
	MethodFacebook         = "facebook"
	MethodApple            = "apple"
	MethodLine             = "line"
	MethodTikTok           = "tiktok"
	MethodPush             = "push"
	MethodPINAuthenticator = "pin_authenticator"
	MethodFace             = "face"
)

// UnimplementedMethods lists those methods, sorted.
var UnimplementedMethods = []string{
	MethodApple, MethodFace, MethodFacebook, MethodGoogle, MethodLine, MethodPINAuthenticator,
	MethodPush, MethodTikTok,
}

// preferencesFields is LoginPreferences without its JSON methods, for them to use.
type preferencesFields LoginPreferences

// MarshalJSON writes the implemented methods' settings and, beside them, the kept settings of
// unimplemented methods, so that stored preferences and the API's auth_methods object have
// one shape.
func (p LoginPreferences) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(preferencesFields(p))
	if err != nil || len(p.Unimplemented) == 0 {
		return base, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(base, &all); err != nil {
		return nil, err
	}
	for key, raw := range p.Unimplemented {
		if _, taken := all[key]; !taken && slices.Contains(UnimplementedMethods, key) {
			all[key] = raw
		}
	}
	return json.Marshal(all)
}

// UnmarshalJSON reads what MarshalJSON writes. Members that are neither an implemented method
// nor an unimplemented one are ignored, as Go's decoder does for any struct.
func (p *LoginPreferences) UnmarshalJSON(data []byte) error {
	var f preferencesFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	f.Unimplemented = nil
	for _, key := range UnimplementedMethods {
		if raw, ok := all[key]; ok && string(raw) != "null" {
			if f.Unimplemented == nil {
				f.Unimplemented = map[string]json.RawMessage{}
			}
			f.Unimplemented[key] = raw
		}
	}
	*p = LoginPreferences(f)
	return nil
}

// UnimplementedSet returns the keys of the unimplemented methods p keeps settings for, sorted.
func (p LoginPreferences) UnimplementedSet() []string {
	out := []string{}
	for _, key := range UnimplementedMethods {
		if _, ok := p.Unimplemented[key]; ok {
			out = append(out, key)
		}
	}
	return out
}
