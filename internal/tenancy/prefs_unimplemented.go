package tenancy

import (
	"encoding/json"
	"maps"

	"github.com/latchkey/latchkey/internal/model"
)

// The auth_methods sections of methods Latchkey does not implement (model.UnimplementedMethods)
// are accepted in Mosaic's shape, checked field by field like the others, and kept, so that an
// integration that sets them loses nothing and reads back what it set. Their secrets (a social
// provider's client secret, push credentials) are accepted but never kept: nothing in Latchkey
// would use them, and a secret not stored cannot leak.

// socialSettings is a social login provider's section (google, facebook, line, tiktok, apple).
type socialSettings struct {
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret,omitempty"` // read, never kept
	RedirectURIs []string `json:"redirectUris,omitempty"`
	AppleTeamID  string   `json:"appleTeamId,omitempty"` // apple only
	KeyID        string   `json:"keyId,omitempty"`       // apple only
}

// apnSettings is one Apple push notification configuration of the push section.
type apnSettings struct {
	Key          string `json:"key,omitempty"` // read, never kept
	KeyID        string `json:"keyId"`
	TeamID       string `json:"teamId"`
	Bundle       string `json:"bundle"`
	IsProduction bool   `json:"isProduction"`
}

// pushSettings is the push section. Mosaic takes apn as one object or a list of them; it is
// kept as a list.
type pushSettings struct {
	APN json.RawMessage `json:"apn,omitempty"`
	FCM *struct {
		Key json.RawMessage `json:"key,omitempty"` // read, never kept
	} `json:"fcm,omitempty"`
}

// lockoutSettings is the pin_authenticator section, and the face section with
// SaveImageEmbedding.
type lockoutSettings struct {
	FailuresExpireIn   int                 `json:"failuresExpireIn,omitempty"`
	LockoutTiers       []model.LockoutTier `json:"lockoutTiers,omitempty"`
	MaxFailures        int                 `json:"maxFailures,omitempty"`
	LockoutDuration    int                 `json:"lockoutDuration,omitempty"`
	SaveImageEmbedding *bool               `json:"saveImageEmbedding,omitempty"`
}

// unimplementedParsers read the sections of unimplemented methods.
var unimplementedParsers = map[string]methodParser{
	model.MethodGoogle:           keptSection(checkSocial(false)),
	model.MethodFacebook:         keptSection(checkSocial(false)),
	model.MethodLine:             keptSection(checkSocial(false)),
	model.MethodTikTok:           keptSection(checkSocial(false)),
	model.MethodApple:            keptSection(checkSocial(true)),
	model.MethodPush:             keptSection(checkPush),
	model.MethodPINAuthenticator: keptSection(checkLockout(false)),
	model.MethodFace:             keptSection(checkLockout(true)),
}

// keptSection returns the parser of an unimplemented method's section: check validates the
// decoded T, records problems and returns the value to keep.
func keptSection[T any](check func(p *problems, key string, v T) any) methodParser {
	return func(p *problems, key string, raw json.RawMessage) func(*model.LoginPreferences) {
		var v T
		if !decodeMethod(p, key, raw, &v) {
			return nil
		}
		before := len(*p)
		kept, err := json.Marshal(check(p, key, v))
		if err != nil {
			p.addf("%s cannot be kept", key)
			return nil
		}
		if len(*p) > before {
			return nil
		}
		return func(lp *model.LoginPreferences) {
			next := maps.Clone(lp.Unimplemented)
			if next == nil {
				next = map[string]json.RawMessage{}
			}
			next[key] = kept
			lp.Unimplemented = next
		}
	}
}

func checkSocial(apple bool) func(p *problems, key string, v socialSettings) any {
	return func(p *problems, key string, v socialSettings) any {
		v.ClientID = p.text(key+".clientId", v.ClientID, maxNameLen, true)
		v.ClientSecret = ""
		if v.RedirectURIs != nil {
			v.RedirectURIs = p.redirectURIs(key+".redirectUris", v.RedirectURIs)
		}
		if apple {
			v.AppleTeamID = p.text(key+".appleTeamId", v.AppleTeamID, maxNameLen, true)
			v.KeyID = p.text(key+".keyId", v.KeyID, maxNameLen, true)
		} else if v.AppleTeamID != "" || v.KeyID != "" {
			v.AppleTeamID, v.KeyID = "", ""
		}
		return v
	}
}

func checkPush(p *problems, key string, v pushSettings) any {
	var apns []apnSettings
	if len(v.APN) > 0 {
		var one apnSettings
		switch {
		case json.Unmarshal(v.APN, &apns) == nil:
		case json.Unmarshal(v.APN, &one) == nil:
			apns = []apnSettings{one}
		default:
			p.addf("%s.apn must be an object or a list of objects with keyId, teamId and bundle", key)
			return nil
		}
	}
	for i := range apns {
		a := &apns[i]
		a.Key = ""
		a.KeyID = p.text(key+".apn.keyId", a.KeyID, maxNameLen, true)
		a.TeamID = p.text(key+".apn.teamId", a.TeamID, maxNameLen, true)
		a.Bundle = p.text(key+".apn.bundle", a.Bundle, maxNameLen, true)
	}
	out := map[string]any{}
	if apns != nil {
		out["apn"] = apns
	}
	if v.FCM != nil {
		out["fcm"] = map[string]any{} // its key is a secret, not kept
	}
	return out
}

func checkLockout(face bool) func(p *problems, key string, v lockoutSettings) any {
	return func(p *problems, key string, v lockoutSettings) any {
		p.bounded(key+".failuresExpireIn", v.FailuresExpireIn, 1, 525600)
		p.bounded(key+".maxFailures", v.MaxFailures, 1, 20)
		p.bounded(key+".lockoutDuration", v.LockoutDuration, 1, 525600)
		for _, tier := range v.LockoutTiers {
			p.bounded(key+".lockoutTiers.attempts", tier.Attempts, 1, 1000)
			p.bounded(key+".lockoutTiers.duration", tier.Duration, 1, 525600)
			if tier.Attempts == 0 || tier.Duration == 0 {
				p.addf("%s.lockoutTiers entries need attempts and duration", key)
			}
		}
		if !face {
			v.SaveImageEmbedding = nil
		}
		return v
	}
}

// bounded checks a whole number that is zero (absent) or within lo..hi.
func (p *problems) bounded(field string, v, lo, hi int) {
	if v != 0 && (v < lo || v > hi) {
		p.addf("%s must be between %d and %d", field, lo, hi)
	}
}
