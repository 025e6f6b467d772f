package model

import "strconv"

// LoginPreferences are an application's settings for its login methods, in Mosaic's shape
// (`auth_methods` of the login-preferences API). Each method's settings are pointers-free
// values with zero meaning "use the default"; Normalized fills the defaults in.
type LoginPreferences struct {
	EmailOTP  OTPPreferences       `json:"email_otp"`
	SMS       OTPPreferences       `json:"sms"`
	MagicLink MagicLinkPreferences `json:"email"`
}

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
	if p.MagicLink.ExpiresIn < 0 || p.MagicLink.ExpiresIn > 1440 {
		out = append(out, "email.expiresIn must be between 1 and 1440 minutes")
	}
	if p.MagicLink.LinksPerUser < 0 || p.MagicLink.LinksPerUser > 100 {
		out = append(out, "email.linksPerUser must be between 1 and 100")
	}
	return out
}

func (o OTPPreferences) problems(name string) []string {
	var out []string
	check := func(v, lo, hi int, field string) {
		if v != 0 && (v < lo || v > hi) {
			out = append(out, name+"."+field+" must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		}
	}
	check(o.ExpiresIn, 1, 60, "expiresIn")
	check(o.MaxFailures, 1, 20, "maxFailures")
	check(o.LockoutDuration, 1, 1440, "lockoutDuration")
	check(o.CodeLength, 4, 8, "codeLength")
	if o.ExpiresIn < 0 || o.MaxFailures < 0 || o.LockoutDuration < 0 || o.CodeLength < 0 {
		out = append(out, name+" settings must not be negative")
	}
	return out
}
