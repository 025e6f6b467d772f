package model

import "time"

// Signing algorithms a tenant may choose for its tokens.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
)

// Tenant is the unit of isolation: every other record belongs to exactly one tenant, and no
// credential of one tenant reaches the records of another.
type Tenant struct {
	ID         string
	Name       string // unique across the deployment
	SigningAlg string // one of the Alg* constants
	// WebhookURL receives the tenant's audit events, signed with WebhookSecret (sealed under
	// the master key, since signing needs it in the clear). Empty disables delivery.
	WebhookURL    string
	WebhookSecret []byte
	// DefaultLanguage is the language (a BCP 47 tag such as "de" or "pt-BR") of messages to
	// users who have none of their own, or one Latchkey does not speak; empty means English.
	DefaultLanguage string
	CreatedAt       time.Time
}

// Application kinds.
const (
	AppKindManagement = "management" // its clients get admin tokens for the whole tenant
	AppKindStandard   = "standard"   // its clients authenticate end users
)

// Application groups clients and carries the login preferences of its end users.
type Application struct {
	ID           string
	TenantID     string
	Name         string
	Kind         string
	Description  string
	RedirectURIs []string
	// AllowPublicSignup lets an authentication for an unknown identifier create the user.
	AllowPublicSignup bool
	// EnumerationProtection makes sends for unknown users answer exactly as for known ones.
	EnumerationProtection bool
	Preferences           LoginPreferences
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Client is one set of credentials of an application. The secret is stored only as a keyed
// hash (see package secret).
type Client struct {
	ID                  string
	TenantID            string
	AppID               string
	Name                string
	Description         string
	SecretHash          []byte
	RedirectURIs        []string
	ResourceIDs         []string // resources this client may request tokens for
	DefaultCustomClaims []string // claim names added to every ID token without being requested
	AccessTokenTTL      int      // seconds; 0 means the default
	RefreshTokenTTL     int      // seconds; 0 means the default
	SessionExpiration   int      // seconds; 0 means the default
	// TokenEpoch is stamped into every access token issued to the client (claim
	// client_epoch). Rotating the secret moves it on, which ends every access token issued
	// before: a token speaks for its client only while the epoch it carries is current.
	TokenEpoch int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Resource is an API, named by URI, that access tokens can be issued for (RFC 8707).
type Resource struct {
	ID             string
	TenantID       string
	URI            string // unique within the tenant
	Name           string
	Description    string
	AccessTokenTTL int // seconds; 0 means the client's or the default
	CreatedAt      time.Time
}
