package admins

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// FlashTTL is how long a value carried from a POST to the page its redirect shows lives:
// long enough for the browser to follow the redirect, short enough that a forgotten one
// (a client secret, a set-up link) soon stops opening.
const FlashTTL = 5 * time.Minute

// sealed is what a sealed value holds: the value and its end.
type sealed struct {
	V   json.RawMessage `json:"v"`
	Exp int64           `json:"exp"`
}

// Seal encrypts v for the browser to carry (in a cookie) under the master key, bound to
// purpose: a value sealed for one purpose (or one session, when the purpose names it) does
// not open for another. It lives ttl. The portal uses it to keep what a POST made (a secret
// shown once, a sign-in in progress) across the redirect that answers the POST, without a
// store every node would have to share.
func (s *Service) Seal(purpose string, v any, ttl time.Duration) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(sealed{V: raw, Exp: s.core.Now().Add(ttl).UnixMilli()})
	if err != nil {
		return "", err
	}
	out, err := s.core.Keys().Seal(plain, []byte("admin-portal:"+purpose))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open reads into v what Seal made for the same purpose, and reports whether it opened and
// has not expired.
func (s *Service) Open(purpose, value string, v any) bool {
	data, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || value == "" {
		return false
	}
	plain, err := s.core.Keys().Open(data, []byte("admin-portal:"+purpose))
	if err != nil {
		return false
	}
	var sv sealed
	if json.Unmarshal(plain, &sv) != nil || s.core.Now().UnixMilli() >= sv.Exp {
		return false
	}
	return json.Unmarshal(sv.V, v) == nil
}
