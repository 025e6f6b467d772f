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
	// Logo is the URI of the application's logo, for messages sent in its name.
	Logo string
	// CreatedBy names who created the application: the client whose token made the call, or
	// "bootstrap" for the applications a first run creates.
	CreatedBy string
	// Profile holds the rest of Mosaic's application settings: kept and shown as given,
	// though no login flow of Latchkey reads them.
	Profile   AppProfile
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AppProfile is the part of an application's settings that describe it to other systems
// (Mosaic's hosted login, service providers) rather than steer Latchkey's login flows.
type AppProfile struct {
	ServiceProviders []string                 `json:"service_providers,omitempty"`
	Authenticator    AuthenticatorPreferences `json:"authenticator_preferences"`
	LoginURI         string                   `json:"login_uri,omitempty"`
}

// AuthenticatorPreferences are Mosaic's authenticator_preferences: whether the application is
// the tenant's authentication hub for centralized login, and where that login starts.
type AuthenticatorPreferences struct {
	IsCentralized bool   `json:"is_centralized"`
	LoginURI      string `json:"login_uri"`
}

// Client types, as Mosaic names them.
const (
	ClientTypeWeb    = "web"
	ClientTypeNative = "native"
)

// Client is one set of credentials of an application. The secret is stored only as a keyed
// hash (see package secret).
type Client struct {
	ID          string
	TenantID    string
	AppID       string
	Name        string
	Description string
	SecretHash  []byte
	// ClientType is ClientTypeWeb or ClientTypeNative; empty reads as web.
	ClientType   string
	RedirectURIs []string
	ResourceIDs  []string // resources this client may request tokens for
	// RoleIDs are the client roles (package clientroles) that decide which of Latchkey's APIs
	// the client's token may call. A management application's clients hold none.
	RoleIDs []string
	// CustomPermissions are the permissions the client's tenant-defined roles (ClientRole)
	// grant, sorted: kept with the client, and rewritten whenever those roles or its RoleIDs
	// change, so that a token check reads the client alone. The built-in roles' permissions
	// are not in it (package clientroles adds them).
	CustomPermissions   []string
	DefaultCustomClaims []string // claim names added to every ID token without being requested
	AccessTokenTTL      int      // seconds; 0 means the default
	RefreshTokenTTL     int      // seconds; 0 means the default
	// MaxRefreshRotate is the absolute lifetime of a refresh token family in seconds: no
	// rotation carries it past this long after the login. 0 means none but the session's.
	MaxRefreshRotate  int
	SessionExpiration int // seconds; 0 means the default
	// TokenEpoch is stamped into every access token issued to the client (claim
	// client_epoch). Rotating the secret moves it on, which ends every access token issued
	// before: a token speaks for its client only while the epoch it carries is current.
	TokenEpoch int64
	// Stamp is replaced by the store on every change of the client (storage.Clients): a
	// copy read at the current stamp is the client as it is now.
	Stamp     int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Resource is an API, named by URI, that access tokens can be issued for (RFC 8707). Its
// lifetimes, when set, win over the client's for tokens issued for it.
type Resource struct {
	ID              string
	TenantID        string
	URI             string // unique within the tenant
	Name            string
	Description     string
	AccessTokenTTL  int // seconds; 0 means the client's or the default
	RefreshTokenTTL int // seconds; 0 means the client's or the default
	// MaxRefreshRotate is the absolute lifetime of a refresh token family in seconds, as for
	// clients; 0 means the client's.
	MaxRefreshRotate int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ClientRole is a client role a tenant defines for its own clients, from the permissions of
// package clientroles; the built-in roles are that package's, the same in every tenant. Its
// name is unique within the tenant.
type ClientRole struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Permissions []string // sorted, without duplicates
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
