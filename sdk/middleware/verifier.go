package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// DefaultLeeway is the clock skew allowed on exp, nbf and iat unless Config says otherwise;
// it is the leeway Latchkey itself allows on the tokens it checks.
const DefaultLeeway = 60 * time.Second

// DefaultRefreshInterval is the least time between two fetches of the key set caused by
// tokens naming keys the Verifier does not hold.
const DefaultRefreshInterval = 10 * time.Second

// Config says which tokens a Verifier accepts.
type Config struct {
	// Issuer is Latchkey's issuer, its public URL (the iss of its tokens and the issuer of
	// its discovery document). Required.
	Issuer string
	// Audience is the resource server's identity: the URI of the Latchkey resource that
	// logins name in "resource", which becomes the access token's aud. Required: a token
	// issued for another resource must not pass here.
	Audience string
	// TenantID, when set, accepts only tokens of that tenant (the tid claim).
	TenantID string
	// JWKSURL is where the keys are published; Issuer + "/cis/oidc/jwks" when empty.
	JWKSURL string
	// Leeway is the clock skew allowed on exp, nbf and iat; DefaultLeeway when zero, none
	// when negative.
	Leeway time.Duration
	// RefreshInterval bounds how often an unknown key id makes the Verifier fetch the key set
	// again; DefaultRefreshInterval when zero.
	RefreshInterval time.Duration
	// HTTPClient fetches the key set; a client with a 10-second timeout when nil.
	HTTPClient *http.Client
	// Now is the clock tokens are checked against; time.Now when nil.
	Now func() time.Time
}

// Claims are the verified claims of a user access token.
type Claims struct {
	Issuer   string
	Subject  string // the user's id
	Audience []string
	Expiry   time.Time
	IssuedAt time.Time
	ID       string // jti
	TenantID string // tid
	Session  string // sid: the session's reference, the same for every token of a session
	ClientID string
	AppID    string
	Scopes   []string
	Roles    []string // the ids of the user's roles in the application
	Perms    []string // the permissions of those roles, when the login asked for them
	AMR      []string
	AuthTime time.Time
	// Raw holds every claim, for the ones without a field (custom claims asked for by the
	// login).
	Raw map[string]any
}

// HasScope reports whether the token was granted scope.
func (c *Claims) HasScope(scope string) bool { return slices.Contains(c.Scopes, scope) }

// HasPermission reports whether the user's roles grant perm.
func (c *Claims) HasPermission(perm string) bool { return slices.Contains(c.Perms, perm) }

// HasRole reports whether the user has the role with id roleID.
func (c *Claims) HasRole(roleID string) bool { return slices.Contains(c.Roles, roleID) }

// Verifier checks user access tokens. It is safe for concurrent use and should be shared: it
// holds the key set.
type Verifier struct {
	cfg  Config
	keys *keySet
	now  func() time.Time
}

// New returns a Verifier for cfg. It fetches nothing until the first token arrives.
func New(cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("latchkey middleware: Issuer and Audience are required")
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = strings.TrimRight(cfg.Issuer, "/") + "/cis/oidc/jwks"
	}
	switch {
	case cfg.Leeway == 0:
		cfg.Leeway = DefaultLeeway
	case cfg.Leeway < 0:
		cfg.Leeway = 0
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Verifier{cfg: cfg, now: now, keys: &keySet{url: cfg.JWKSURL, http: cfg.HTTPClient, now: now, interval: cfg.RefreshInterval}}, nil
}

// algorithms are those Latchkey signs with; anything else ("none", HMAC) is refused before a
// key is looked at.
var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// ErrInvalidToken is wrapped by every refusal of a token (as opposed to a failure to fetch
// the keys, which says nothing about the token).
var ErrInvalidToken = errors.New("invalid token")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}

// wireClaims are the claims as Latchkey writes them.
type wireClaims struct {
	jwt.Claims
	TID      string   `json:"tid"`
	SID      string   `json:"sid"`
	ClientID string   `json:"client_id"`
	AppID    string   `json:"app_id"`
	Scope    string   `json:"scope"`
	Roles    []string `json:"roles"`
	Perms    []string `json:"permissions"`
	AMR      []string `json:"amr"`
	AuthTime int64    `json:"auth_time"`
	TokenUse string   `json:"token_use"`
}

// Verify checks raw, a compact JWS, and returns its claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	tok, err := jwt.ParseSigned(raw, algorithms)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return nil, invalid("no key id")
	}
	h := tok.Headers[0]
	key, err := v.keys.key(ctx, h.KeyID)
	if errors.Is(err, errUnknownKey) {
		return nil, invalid("%v", err)
	} else if err != nil {
		return nil, err
	}
	if key.Algorithm != "" && key.Algorithm != h.Algorithm {
		return nil, invalid("algorithm %s is not the key's", h.Algorithm)
	}
	var wc wireClaims
	var all map[string]any
	if err := tok.Claims(key.Key, &wc, &all); err != nil {
		return nil, invalid("%v", err)
	}
	if wc.Expiry == nil {
		return nil, invalid("no exp")
	}
	if err := wc.Claims.ValidateWithLeeway(jwt.Expected{Issuer: v.cfg.Issuer, Time: v.now()}, v.cfg.Leeway); err != nil {
		return nil, invalid("%v", err)
	}
	if !slices.Contains([]string(wc.Audience), v.cfg.Audience) {
		return nil, invalid("issued for another audience")
	}
	if wc.TokenUse != "access" {
		return nil, invalid("not a user access token")
	}
	if v.cfg.TenantID != "" && wc.TID != v.cfg.TenantID {
		return nil, invalid("a token of another tenant")
	}
	c := &Claims{
		Issuer: wc.Issuer, Subject: wc.Subject, Audience: wc.Audience, Expiry: wc.Expiry.Time(),
		ID: wc.ID, TenantID: wc.TID, Session: wc.SID, ClientID: wc.ClientID, AppID: wc.AppID,
		Scopes: strings.Fields(wc.Scope), Roles: wc.Roles, Perms: wc.Perms, AMR: wc.AMR, Raw: all,
	}
	if wc.IssuedAt != nil {
		c.IssuedAt = wc.IssuedAt.Time()
	}
	if wc.AuthTime != 0 {
		c.AuthTime = time.Unix(wc.AuthTime, 0)
	}
	return c, nil
}
