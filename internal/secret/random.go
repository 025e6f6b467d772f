package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// Prefixes of the credentials Latchkey issues. They make a leaked credential recognisable to
// secret scanners and to people, and tell the two kinds apart.
const (
	ClientSecretPrefix = "lk_cs_"
	RefreshTokenPrefix = "lk_rt_"
)

// Bounds of NewCode's digits argument.
const (
	MinCodeDigits = 4
	MaxCodeDigits = 10
)

// Equal reports whether a and b are equal, in time that does not depend on where they differ.
func Equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// randomBytes returns n bytes from crypto/rand, which never fails on supported platforms.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomString(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n))
}

// NewClientSecret returns a new client secret: the prefix and 256 random bits, URL-safe.
func NewClientSecret() string {
	return ClientSecretPrefix + randomString(32)
}

// NewRefreshToken returns a new opaque refresh token: the prefix and 256 random bits.
func NewRefreshToken() string {
	return RefreshTokenPrefix + randomString(32)
}

// NewLinkCode returns a URL-safe random code of 256 bits for magic links.
func NewLinkCode() string {
	return randomString(32)
}

// NewMasterKey returns a new random master key.
func NewMasterKey() []byte {
	return randomBytes(MasterKeySize)
}

// NewCode returns a one-time passcode of the given number of decimal digits, each uniform.
// Digits come from random bytes below 250, the largest multiple of ten a byte holds, so that
// taking them modulo ten favours no digit. It panics if digits is outside
// MinCodeDigits..MaxCodeDigits, which is a programming error: callers validate lengths first.
func NewCode(digits int) string {
	if digits < MinCodeDigits || digits > MaxCodeDigits {
		panic(fmt.Sprintf("secret: code length %d out of range %d..%d", digits, MinCodeDigits, MaxCodeDigits))
	}
	out := make([]byte, 0, digits)
	// Twice as many bytes as digits makes a refill rare (each byte is rejected with p=6/256).
	buf := make([]byte, 2*digits)
	for len(out) < digits {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if b >= 250 {
				continue
			}
			out = append(out, '0'+b%10)
			if len(out) == digits {
				break
			}
		}
	}
	return string(out)
}

// NewWebhookSecret returns a webhook signing secret in Standard Webhooks' form: "whsec_"
// followed by 32 random bytes in standard base64.
func NewWebhookSecret() string {
	return "whsec_" + base64.StdEncoding.EncodeToString(randomBytes(32))
}
