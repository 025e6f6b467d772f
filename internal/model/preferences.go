package model

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LoginPreferences are an application's settings for its login methods, in Mosaic's shape
// (`auth_methods` of the login-preferences API). Each method's settings are pointers-free
// values with zero meaning "use the default"; Normalized fills the defaults in.
type LoginPreferences struct {
	EmailOTP  OTPPreferences       `json:"email_otp"`
	SMS       OTPPreferences       `json:"sms"`
	MagicLink MagicLinkPreferences `json:"email"`
	Limits    RateLimits           `json:"rate_limits"`
	Password  PasswordPreferences  `json:"password"`
	WebAuthn  WebAuthnPreferences  `json:"webauthn_api"`
	TOTP      TOTPPreferences      `json:"totp"`
	// Unimplemented holds, by method key, the settings of methods Latchkey keeps without
	// implementing them (UnimplementedMethods), each a JSON object. MarshalJSON and
	// UnmarshalJSON place them beside the others.
	Unimplemented map[string]json.RawMessage `json:"-"`
}

// RateLimits bound how often codes and links are sent and guessed, per application. Counters
// are shared by every node. Zero means the default; a negative value is invalid.
type RateLimits struct {
	// SendsPerIdentifier is how many codes or links one email, phone number or user may be
	// sent per hour.
	SendsPerIdentifier int `json:"sendsPerIdentifier"`
	// SendsPerPhonePrefix is how many SMS one phone-number prefix (the first
	// PhonePrefixDigits digits) may be sent per hour: a defence against SMS pumping, where
	// attackers send to ranges of premium numbers.
	SendsPerPhonePrefix int `json:"sendsPerPhonePrefix"`
	PhonePrefixDigits   int `json:"phonePrefixDigits"`
	// SendsPerIP is how many sends one end-user IP address (client_attributes.ip_address) may
	// trigger per hour.
	SendsPerIP int `json:"sendsPerIp"`
	// FailuresPerIdentifier is how many wrong codes, across all codes, lock an identifier
	// within FailuresExpireIn minutes; the lockout lasts the method's lockoutDuration.
	FailuresPerIdentifier int `json:"failuresPerIdentifier"`
	FailuresExpireIn      int `json:"failuresExpireIn"`
}

// Rate limit defaults: generous for people, tight for scripts.
const (
	DefaultSendsPerIdentifier    = 10
	DefaultSendsPerPhonePrefix   = 100
	DefaultPhonePrefixDigits     = 6
	DefaultSendsPerIP            = 30
	DefaultFailuresPerIdentifier = 10
	DefaultFailuresExpireIn      = 15 // minutes
)

// OTPPreferences configure one-time passcodes sent by email or SMS.
type OTPPreferences struct {
	ExpiresIn           int             `json:"expiresIn"`       // minutes, 1..60
	MaxFailures         int             `json:"maxFailures"`     // 1..20 wrong codes before lockout
	LockoutDuration     int             `json:"lockoutDuration"` // minutes, 1..1440
	CodeLength          int             `json:"codeLength"`      // digits, 4..8
	CrossClientsAllowed bool            `json:"crossClientsAllowed"`
	Message             MessageBranding `json:"message"`
}

// MagicLinkPreferences configure email magic links.
type MagicLinkPreferences struct {
	ExpiresIn    int             `json:"expiresIn"`    // minutes
	LinksPerUser int             `json:"linksPerUser"` // per minute
	Message      MessageBranding `json:"message"`
}

// MessageBranding is what an application may change in the messages sent for it.
type MessageBranding struct {
	From         string `json:"from,omitempty"`
	Subject      string `json:"subject,omitempty"`
	PrimaryColor string `json:"primaryColor,omitempty"`
}

// Defaults for login preferences. Mosaic documents ranges but not defaults; these follow the
// common practice of peers (short expiry, a handful of attempts, a quarter-hour lockout).
const (
	DefaultOTPExpiresIn       = 5  // minutes
	DefaultOTPMaxFailures     = 5  // attempts
	DefaultOTPLockoutDuration = 15 // minutes
	DefaultOTPCodeLength      = 6  // digits
	DefaultLinkExpiresIn      = 15 // minutes
	DefaultLinksPerUser       = 3  // per minute
)

// Normalized returns p with every zero setting replaced by its default.
func (p LoginPreferences) Normalized() LoginPreferences {
	p.EmailOTP = p.EmailOTP.normalized()
	p.SMS = p.SMS.normalized()
	if p.MagicLink.ExpiresIn == 0 {
		p.MagicLink.ExpiresIn = DefaultLinkExpiresIn
	}
	if p.MagicLink.LinksPerUser == 0 {
		p.MagicLink.LinksPerUser = DefaultLinksPerUser
	}
	p.Limits = p.Limits.normalized()
	p.Password = p.Password.normalized()
	p.WebAuthn = p.WebAuthn.normalized()
	p.TOTP = p.TOTP.normalized()
	return p
}

func (o OTPPreferences) normalized() OTPPreferences {
	if o.ExpiresIn == 0 {
		o.ExpiresIn = DefaultOTPExpiresIn
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = DefaultOTPMaxFailures
	}
	if o.LockoutDuration == 0 {
		o.LockoutDuration = DefaultOTPLockoutDuration
	}
	if o.CodeLength == 0 {
		o.CodeLength = DefaultOTPCodeLength
	}
	return o
}

// Problems lists every out-of-range setting of p, for a validation error.
func (p LoginPreferences) Problems() []string {
	var out []string
	out = append(out, p.EmailOTP.problems("email_otp")...)
	out = append(out, p.SMS.problems("sms")...)
	out = append(out, p.MagicLink.Message.problems("email.message")...)
	if lb := LinkBounds; p.MagicLink.ExpiresIn < 0 || p.MagicLink.ExpiresIn > lb.ExpiresIn.Max {
		out = append(out, "email.expiresIn must be between 1 and "+strconv.Itoa(lb.ExpiresIn.Max)+" minutes")
	}
	if lb := LinkBounds; p.MagicLink.LinksPerUser < 0 || p.MagicLink.LinksPerUser > lb.LinksPerUser.Max {
		out = append(out, "email.linksPerUser must be between 1 and "+strconv.Itoa(lb.LinksPerUser.Max))
	}
	out = append(out, p.Limits.problems()...)
	out = append(out, p.Password.problems()...)
	out = append(out, p.WebAuthn.problems()...)
	out = append(out, p.TOTP.problems()...)
	return out
}

func (l RateLimits) normalized() RateLimits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.SendsPerIdentifier, DefaultSendsPerIdentifier)
	def(&l.SendsPerPhonePrefix, DefaultSendsPerPhonePrefix)
	def(&l.PhonePrefixDigits, DefaultPhonePrefixDigits)
	def(&l.SendsPerIP, DefaultSendsPerIP)
	def(&l.FailuresPerIdentifier, DefaultFailuresPerIdentifier)
	def(&l.FailuresExpireIn, DefaultFailuresExpireIn)
	return l
}

func (l RateLimits) problems() []string {
	var out []string
	check := func(v int, r Range, field string) { out = r.check(out, v, "rate_limits."+field) }
	b := RateLimitBounds
	check(l.SendsPerIdentifier, b.SendsPerIdentifier, "sendsPerIdentifier")
	check(l.SendsPerPhonePrefix, b.SendsPerPhonePrefix, "sendsPerPhonePrefix")
	check(l.PhonePrefixDigits, b.PhonePrefixDigits, "phonePrefixDigits")
	check(l.SendsPerIP, b.SendsPerIP, "sendsPerIp")
	check(l.FailuresPerIdentifier, b.FailuresPerIdentifier, "failuresPerIdentifier")
	check(l.FailuresExpireIn, b.FailuresExpireIn, "failuresExpireIn")
	return out
}

func (o OTPPreferences) problems(name string) []string {
	var out []string
	check := func(v int, r Range, field string) { out = r.check(out, v, name+"."+field) }
	b := OTPBounds
	check(o.ExpiresIn, b.ExpiresIn, "expiresIn")
	check(o.MaxFailures, b.MaxFailures, "maxFailures")
	check(o.LockoutDuration, b.LockoutDuration, "lockoutDuration")
	check(o.CodeLength, b.CodeLength, "codeLength")
	if o.ExpiresIn < 0 || o.MaxFailures < 0 || o.LockoutDuration < 0 || o.CodeLength < 0 {
		out = append(out, name+" settings must not be negative")
	}
	return append(out, o.Message.problems(name+".message")...)
}

// Range is the allowed span of a whole-number setting, both ends included. The bounds below
// are the ones validation enforces; forms read them too (the admin portal's min and max), so
// that a form and the API never disagree.
type Range struct{ Min, Max int }

// check appends to out the problem of a setting v outside r, named field; zero, which takes
// a default (or is in r), is never one.
func (r Range) check(out []string, v int, field string) []string {
	if v != 0 && (v < r.Min || v > r.Max) {
		out = append(out, field+" must be between "+strconv.Itoa(r.Min)+" and "+strconv.Itoa(r.Max))
	}
	return out
}

// OTPBounds are the ranges of OTPPreferences' numeric settings (zero takes the default).
var OTPBounds = struct{ ExpiresIn, MaxFailures, LockoutDuration, CodeLength Range }{
	ExpiresIn: Range{1, 60}, MaxFailures: Range{1, 20}, LockoutDuration: Range{1, 1440}, CodeLength: Range{4, 8},
}

// LinkBounds are the ranges of MagicLinkPreferences' numeric settings (zero takes the default).
var LinkBounds = struct{ ExpiresIn, LinksPerUser Range }{ExpiresIn: Range{1, 1440}, LinksPerUser: Range{1, 100}}

// RateLimitBounds are the ranges of RateLimits' settings (zero takes the default).
var RateLimitBounds = struct {
	SendsPerIdentifier, SendsPerPhonePrefix, PhonePrefixDigits, SendsPerIP, FailuresPerIdentifier, FailuresExpireIn Range
}{
	SendsPerIdentifier: Range{1, 1000}, SendsPerPhonePrefix: Range{1, 100000}, PhonePrefixDigits: Range{3, 10},
	SendsPerIP: Range{1, 100000}, FailuresPerIdentifier: Range{1, 1000}, FailuresExpireIn: Range{1, 1440},
}

// Normalized returns the limits with the defaults filled in.
func (l RateLimits) Normalized() RateLimits { return l.normalized() }

// MaxBrandingSubject is the longest subject, in characters, an application may set.
const MaxBrandingSubject = maxBrandingSubject

// Bounds of MessageBranding's fields.
const (
	maxBrandingFrom    = 320 // an address of RFC 5321's longest form, with a short display name
	maxBrandingSubject = 200
)

var hexColour = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// problems checks branding that every message of the application will carry: a sender that
// does not parse would make every send fail at delivery while the API answered success.
func (b MessageBranding) problems(name string) []string {
	var out []string
	if b.From != "" {
		if a, err := mail.ParseAddress(b.From); err != nil || len(b.From) > maxBrandingFrom || strings.ContainsAny(a.Address, "\r\n") {
			out = append(out, name+".from must be an email address, optionally with a display name (\"Shop <no-reply@shop.example>\")")
		}
	}
	if utf8.RuneCountInString(b.Subject) > maxBrandingSubject || strings.IndexFunc(b.Subject, unicode.IsControl) >= 0 {
		out = append(out, name+".subject must be at most 200 characters, without control characters")
	}
	if b.PrimaryColor != "" && !hexColour.MatchString(b.PrimaryColor) {
		out = append(out, name+".primaryColor must be a hex colour such as #1a73e8")
	}
	return out
}
