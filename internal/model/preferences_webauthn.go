package model

import (
	"net/url"
	"strconv"
	"strings"
)

// WebAuthn user-verification requirements and attestation conveyance preferences, as the
// WebAuthn specification names them.
const (
	UVRequired    = "required"
	UVPreferred   = "preferred"
	UVDiscouraged = "discouraged"

	AttestationNone     = "none"
	AttestationIndirect = "indirect"
	AttestationDirect   = "direct"
)

// WebAuthnPreferences configure passkeys (Mosaic's `webauthn_api`). An application can use
// WebAuthn only once RPID is set: a passkey is bound to its relying party id for life, so
// Latchkey never guesses one.
type WebAuthnPreferences struct {
	// RPID is the relying party id: the registrable domain (or a host under it) of the pages
	// that run the ceremonies, e.g. "example.com". "localhost" serves development.
	RPID string `json:"rpId"`
	// RPName is shown by authenticators next to the passkey; empty means the application's
	// name.
	RPName string `json:"rpName,omitempty"`
	// RPWebOrigins are the origins allowed to run ceremonies, e.g. "https://app.example.com";
	// each host must be RPID or under it. Empty means "https://" + RPID.
	RPWebOrigins     []string `json:"rpWebOrigins"`
	UserVerification string   `json:"userVerification"` // required, preferred or discouraged
	AttestationType  string   `json:"attestationType"`  // none, indirect or direct
	// EnforceAttestation refuses registrations that carry no verified attestation statement
	// (format "none"); it needs attestationType indirect or direct.
	EnforceAttestation bool `json:"enforceAttestation"`
	// AAGUIDAllowList, when set, admits only authenticators of these models; AAGUIDBlockList
	// refuses those listed. At most one of the two may be set. Both apply at registration
	// and at every login.
	AAGUIDAllowList []string `json:"aaguidAllowList"`
	AAGUIDBlockList []string `json:"aaguidBlockList"`
	// AllowSyncedPasskeys admits credentials that may be backed up (the backup-eligible
	// flag), such as passkeys synced by a platform account. nil means the default, true.
	AllowSyncedPasskeys *bool `json:"allowSyncedPasskeys"`
	// ReplaceExistingPasskey makes a new registration replace the user's other passkeys
	// instead of adding to them.
	ReplaceExistingPasskey bool `json:"replaceExistingPasskey"`
	// LockoutDuration is how long, in minutes, a user stays locked out of passkey login once
	// their failures reach rate_limits.failuresPerIdentifier (Latchkey's addition).
	LockoutDuration int `json:"lockoutDuration"`
	// StartsPerIP is how many ceremonies one IP address may start per hour through the
	// public authentication start (Latchkey's addition).
	StartsPerIP int `json:"startsPerIp"`
}

// WebAuthn defaults.
const (
	DefaultWebAuthnLockoutDuration = 15  // minutes
	DefaultWebAuthnStartsPerIP     = 300 // per hour
	maxWebAuthnOrigins             = 20
	maxAAGUIDs                     = 100
)

// SyncedPasskeysAllowed reports the effective allowSyncedPasskeys setting.
func (w WebAuthnPreferences) SyncedPasskeysAllowed() bool {
	return w.AllowSyncedPasskeys == nil || *w.AllowSyncedPasskeys
}

func (w WebAuthnPreferences) normalized() WebAuthnPreferences {
	if w.UserVerification == "" {
		w.UserVerification = UVPreferred
	}
	if w.AttestationType == "" {
		w.AttestationType = AttestationNone
	}
	if w.AllowSyncedPasskeys == nil {
		allow := true
		w.AllowSyncedPasskeys = &allow
	}
	if w.LockoutDuration == 0 {
		w.LockoutDuration = DefaultWebAuthnLockoutDuration
	}
	if w.StartsPerIP == 0 {
		w.StartsPerIP = DefaultWebAuthnStartsPerIP
	}
	if w.RPID != "" && len(w.RPWebOrigins) == 0 {
		w.RPWebOrigins = []string{"https://" + w.RPID}
	}
	if w.RPWebOrigins == nil {
		w.RPWebOrigins = []string{}
	}
	if w.AAGUIDAllowList == nil {
		w.AAGUIDAllowList = []string{}
	}
	if w.AAGUIDBlockList == nil {
		w.AAGUIDBlockList = []string{}
	}
	return w
}

func (w WebAuthnPreferences) problems() []string {
	var out []string
	add := func(s string) { out = append(out, "webauthn_api."+s) }
	// An empty rpId is valid here, so that the defaults read back can be written back; the
	// WebAuthn endpoints refuse to run without one.
	if w.RPID != "" && !ValidRPID(w.RPID) {
		add("rpId must be a lower-case host name such as example.com, without scheme or port")
	}
	if len(w.RPName) > 100 || strings.ContainsFunc(w.RPName, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		add("rpName must be at most 100 printable characters")
	}
	if len(w.RPWebOrigins) > maxWebAuthnOrigins {
		add("rpWebOrigins must have at most " + strconv.Itoa(maxWebAuthnOrigins) + " entries")
	}
	for _, o := range w.RPWebOrigins {
		if msg := originProblem(o, w.RPID); msg != "" {
			add("rpWebOrigins: " + msg)
		}
	}
	switch w.UserVerification {
	case "", UVRequired, UVPreferred, UVDiscouraged:
	default:
		add("userVerification must be one of required, preferred, discouraged")
	}
	switch w.AttestationType {
	case "", AttestationNone, AttestationIndirect, AttestationDirect:
		if w.EnforceAttestation && (w.AttestationType == "" || w.AttestationType == AttestationNone) {
			add("enforceAttestation needs attestationType indirect or direct")
		}
	default:
		add("attestationType must be one of none, indirect, direct")
	}
	if len(w.AAGUIDAllowList) > 0 && len(w.AAGUIDBlockList) > 0 {
		add("aaguidAllowList and aaguidBlockList cannot both be set")
	}
	out = append(out, aaguidProblems("aaguidAllowList", w.AAGUIDAllowList)...)
	out = append(out, aaguidProblems("aaguidBlockList", w.AAGUIDBlockList)...)
	if w.LockoutDuration != 0 && (w.LockoutDuration < 1 || w.LockoutDuration > 1440) {
		add("lockoutDuration must be between 1 and 1440")
	}
	if w.StartsPerIP != 0 && (w.StartsPerIP < 1 || w.StartsPerIP > 100000) {
		add("startsPerIp must be between 1 and 100000")
	}
	return out
}

// ValidRPID reports whether s can be a relying party id: a lower-case DNS host name (at most
// 253 characters of letters, digits, '-' and '.'), not an IP address, with no scheme or port.
func ValidRPID(s string) bool {
	if s == "" || len(s) > 253 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	allDigits := true
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			switch {
			case r >= 'a' && r <= 'z', r == '-':
				allDigits = false
			case r >= '0' && r <= '9':
			default:
				return false
			}
		}
	}
	return !allDigits
}

// originProblem checks one allowed origin: an http(s) origin with no path, whose host is the
// relying party id or under it. Plain http is allowed only for localhost, which browsers
// treat as a secure context.
func originProblem(o, rpID string) string {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "\"" + clipPref(o) + "\" is not an origin such as https://app.example.com"
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "http" && host != "localhost":
		return "\"" + clipPref(o) + "\" must use https (http is allowed only for localhost)"
	case u.Scheme != "https" && u.Scheme != "http":
		return "\"" + clipPref(o) + "\" must use https"
	case rpID != "" && host != rpID && !strings.HasSuffix(host, "."+rpID):
		return "\"" + clipPref(o) + "\" is not rpId or a host under it"
	}
	return ""
}

func aaguidProblems(field string, list []string) []string {
	var out []string
	if len(list) > maxAAGUIDs {
		out = append(out, "webauthn_api."+field+" must have at most "+strconv.Itoa(maxAAGUIDs)+" entries")
	}
	for _, a := range list {
		if !validUUID(a) {
			out = append(out, "webauthn_api."+field+": \""+clipPref(a)+"\" is not an AAGUID such as 08987058-cadc-4b81-b6e1-30de50dcbe96")
		}
	}
	return out
}

// validUUID reports whether s is a UUID in its 8-4-4-4-12 hexadecimal form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if r != '-' {
				return false
			}
			continue
		}
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func clipPref(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
