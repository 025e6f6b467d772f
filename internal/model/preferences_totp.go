package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TOTP algorithms, as the `algorithm` preference and an otpauth URI name them (lower case
// here; the URI uses upper case).
const (
	TOTPSHA1   = "sha1"
	TOTPSHA256 = "sha256"
	TOTPSHA512 = "sha512"
)

// TOTPPreferences configure time-based one-time passwords (RFC 6238) and the recovery codes
// that stand in for a lost authenticator. Algorithm, Digits and Period apply to new
// enrolments: a credential keeps the parameters it was enrolled with. Window and
// LockoutDuration apply at every login.
type TOTPPreferences struct {
	Algorithm string `json:"algorithm"` // sha1, sha256 or sha512
	Digits    int    `json:"digits"`    // 6 or 8
	Period    int    `json:"period"`    // seconds per code, 15..120
	// Window is how many time steps either side of the current one are accepted, for clock
	// drift and typing time: 1..10. A window of zero cannot be set: zero means the default.
	Window int `json:"window"`
	// Issuer names the service in authenticator apps; empty means the application's name.
	Issuer         string `json:"issuer,omitempty"`
	MaxTOTPPerUser int    `json:"maxTotpPerUser"` // confirmed TOTP credentials per user, 1..10
	// LockoutDuration is how long, in minutes, an identifier stays locked once its TOTP or
	// recovery-code failures reach rate_limits.failuresPerIdentifier (Latchkey's addition).
	LockoutDuration int `json:"lockoutDuration"`
}

// TOTP defaults: what every common authenticator app supports (RFC 6238's SHA-1, six digits,
// thirty seconds), one step of tolerance each side, and one authenticator per user.
const (
	DefaultTOTPAlgorithm       = TOTPSHA1
	DefaultTOTPDigits          = 6
	DefaultTOTPPeriod          = 30 // seconds
	DefaultTOTPWindow          = 1  // steps each side
	DefaultMaxTOTPPerUser      = 1
	DefaultTOTPLockoutDuration = 15 // minutes
	maxTOTPIssuerLen           = 100
)

func (t TOTPPreferences) normalized() TOTPPreferences {
	if t.Algorithm == "" {
		t.Algorithm = DefaultTOTPAlgorithm
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&t.Digits, DefaultTOTPDigits)
	def(&t.Period, DefaultTOTPPeriod)
	def(&t.Window, DefaultTOTPWindow)
	def(&t.MaxTOTPPerUser, DefaultMaxTOTPPerUser)
	def(&t.LockoutDuration, DefaultTOTPLockoutDuration)
	return t
}

func (t TOTPPreferences) problems() []string {
	var out []string
	switch t.Algorithm {
	case "", TOTPSHA1, TOTPSHA256, TOTPSHA512:
	default:
		out = append(out, "totp.algorithm must be one of sha1, sha256, sha512")
	}
	if t.Digits != 0 && t.Digits != 6 && t.Digits != 8 {
		out = append(out, "totp.digits must be 6 or 8")
	}
	out = Range{15, 120}.check(out, t.Period, "totp.period")
	out = Range{1, 10}.check(out, t.Window, "totp.window")
	out = Range{1, 10}.check(out, t.MaxTOTPPerUser, "totp.maxTotpPerUser")
	out = Range{1, 1440}.check(out, t.LockoutDuration, "totp.lockoutDuration")
	// The issuer is the prefix of the otpauth label "Issuer:account", so it cannot hold a
	// colon, and authenticator apps display it, so it holds no control characters.
	if utf8.RuneCountInString(t.Issuer) > maxTOTPIssuerLen || strings.Contains(t.Issuer, ":") ||
		strings.ContainsFunc(t.Issuer, unicode.IsControl) || !utf8.ValidString(t.Issuer) {
		out = append(out, "totp.issuer must be at most 100 printable characters without ':'")
	}
	return out
}
