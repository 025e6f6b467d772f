package model

import (
	"sort"
	"strconv"
)

// PasswordPreferences configure password login, Mosaic's `password` login method. Zero means
// the default, except where a field says otherwise.
type PasswordPreferences struct {
	// PasswordComplexity is the rule level, 1..5: 1 length only; 2 also a letter and a digit;
	// 3 also upper- and lower-case letters; 4 also a symbol; 5 also nothing of the user's
	// username or email address. Each level includes those below it.
	PasswordComplexity int `json:"passwordComplexity"`
	PasswordMinLength  int `json:"passwordMinLength"` // characters, 5..14
	// PasswordExpiresIn is how many days a password lasts, 1..1096; IgnoreExpiration turns
	// expiry off. The expiry is fixed when a password is set.
	PasswordExpiresIn int  `json:"passwordExpiresIn"`
	IgnoreExpiration  bool `json:"ignoreExpiration"`
	// BlockPreviousPasswords is how many of the most recent passwords, the current one
	// included, a new password may not repeat: 0..20, and 0 (the default) checks none.
	BlockPreviousPasswords int `json:"blockPreviousPasswords"`
	// MaxPasswordFailures wrong passwords within FailuresExpireIn minutes lock the login for
	// PasswordSuspensionDuration minutes.
	MaxPasswordFailures        int `json:"maxPasswordFailures"`        // 1..20
	PasswordSuspensionDuration int `json:"passwordSuspensionDuration"` // minutes, 1..1440
	FailuresExpireIn           int `json:"failuresExpireIn"`           // minutes, 1..1440
	// LockoutTiers escalate: the failure that brings the failures of the last
	// PasswordTierWindow to a tier's Attempts locks for that tier's Duration, and past the last
	// tier every failure does. Empty means no tiers.
	LockoutTiers []LockoutTier `json:"lockoutTiers,omitempty"`
	// ResetValidityMinutes is how long a reset code or link lasts, 5..60.
	ResetValidityMinutes int `json:"resetValidityMinutes"`
	// TempPasswordValidityHours is how long a temporary password (force_replace) may be used
	// to choose a new one, 1..8760.
	TempPasswordValidityHours int             `json:"tempPasswordValidityHours"`
	CodeLength                int             `json:"codeLength"` // digits of a reset code, 4..8
	Message                   MessageBranding `json:"message"`    // of reset emails
	// RequireMFA is Mosaic's switch that makes a password only a first factor. Latchkey
	// collects factors per session instead (a password login, then TOTP or a passkey added
	// to the same session), so only false is accepted: true would be a promise not kept.
	RequireMFA bool `json:"requireMFA,omitempty"`
}

// LockoutTier is one step of escalating lockouts.
type LockoutTier struct {
	Attempts int `json:"attempts"` // failures that trigger this tier, 1..1000
	Duration int `json:"duration"` // minutes, 1..525600
}

// Password defaults: Mosaic's documented ones, and for the rest a short reset validity and
// three days for a temporary password.
const (
	DefaultPasswordComplexity         = 5
	DefaultPasswordMinLength          = 14
	DefaultPasswordExpiresIn          = 90 // days
	DefaultMaxPasswordFailures        = 5
	DefaultPasswordSuspensionDuration = 15 // minutes
	DefaultPasswordFailuresExpireIn   = 15 // minutes
	DefaultResetValidityMinutes       = 5
	DefaultTempPasswordValidityHours  = 72
	DefaultResetCodeLength            = 6
	maxLockoutTiers                   = 10
)

// PasswordBounds are the ranges of PasswordPreferences' numeric settings, the ones validation
// enforces and forms show. Zero takes the default, except BlockPreviousPasswords, whose zero
// is its own value (check none).
var PasswordBounds = struct {
	PasswordComplexity, PasswordMinLength, PasswordExpiresIn, BlockPreviousPasswords Range
	MaxPasswordFailures, PasswordSuspensionDuration, FailuresExpireIn                Range
	ResetValidityMinutes, TempPasswordValidityHours, CodeLength                      Range
}{
	PasswordComplexity: Range{1, 5}, PasswordMinLength: Range{5, 14}, PasswordExpiresIn: Range{1, 1096},
	BlockPreviousPasswords: Range{0, 20}, MaxPasswordFailures: Range{1, 20}, PasswordSuspensionDuration: Range{1, 1440},
	FailuresExpireIn: Range{1, 1440}, ResetValidityMinutes: Range{5, 60}, TempPasswordValidityHours: Range{1, 8760},
	CodeLength: Range{4, 8},
}

func (p PasswordPreferences) normalized() PasswordPreferences {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.PasswordComplexity, DefaultPasswordComplexity)
	def(&p.PasswordMinLength, DefaultPasswordMinLength)
	def(&p.PasswordExpiresIn, DefaultPasswordExpiresIn)
	def(&p.MaxPasswordFailures, DefaultMaxPasswordFailures)
	def(&p.PasswordSuspensionDuration, DefaultPasswordSuspensionDuration)
	def(&p.FailuresExpireIn, DefaultPasswordFailuresExpireIn)
	def(&p.ResetValidityMinutes, DefaultResetValidityMinutes)
	def(&p.TempPasswordValidityHours, DefaultTempPasswordValidityHours)
	def(&p.CodeLength, DefaultResetCodeLength)
	if len(p.LockoutTiers) > 0 {
		tiers := append([]LockoutTier(nil), p.LockoutTiers...)
		sort.SliceStable(tiers, func(i, j int) bool { return tiers[i].Attempts < tiers[j].Attempts })
		p.LockoutTiers = tiers
	}
	return p
}

func (p PasswordPreferences) problems() []string {
	var out []string
	check := func(v int, r Range, field string) { out = r.check(out, v, "password."+field) }
	b := PasswordBounds
	check(p.PasswordComplexity, b.PasswordComplexity, "passwordComplexity")
	check(p.PasswordMinLength, b.PasswordMinLength, "passwordMinLength")
	check(p.PasswordExpiresIn, b.PasswordExpiresIn, "passwordExpiresIn")
	check(p.BlockPreviousPasswords, b.BlockPreviousPasswords, "blockPreviousPasswords") // its zero is in range
	check(p.MaxPasswordFailures, b.MaxPasswordFailures, "maxPasswordFailures")
	check(p.PasswordSuspensionDuration, b.PasswordSuspensionDuration, "passwordSuspensionDuration")
	check(p.FailuresExpireIn, b.FailuresExpireIn, "failuresExpireIn")
	check(p.ResetValidityMinutes, b.ResetValidityMinutes, "resetValidityMinutes")
	check(p.TempPasswordValidityHours, b.TempPasswordValidityHours, "tempPasswordValidityHours")
	check(p.CodeLength, b.CodeLength, "codeLength")
	if p.RequireMFA {
		out = append(out, "password.requireMFA cannot be true: Latchkey does not make a password a first factor only; add a second factor to the session (see the MFA flow)")
	}
	if len(p.LockoutTiers) > maxLockoutTiers {
		out = append(out, "password.lockoutTiers may have at most "+strconv.Itoa(maxLockoutTiers)+" tiers")
	}
	seen := map[int]bool{}
	for i, t := range p.LockoutTiers {
		name := "password.lockoutTiers[" + strconv.Itoa(i) + "]"
		if t.Attempts < 1 || t.Attempts > 1000 {
			out = append(out, name+".attempts must be between 1 and 1000")
		}
		if t.Duration < 1 || t.Duration > 525600 {
			out = append(out, name+".duration must be between 1 and 525600 minutes")
		}
		if seen[t.Attempts] {
			out = append(out, name+".attempts repeats another tier's")
		}
		seen[t.Attempts] = true
	}
	out = append(out, p.Message.problems("password.message")...)
	return out
}
