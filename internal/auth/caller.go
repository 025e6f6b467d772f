package auth

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/token"
)

// Token kinds, carried in the token_use claim so a token of one kind is never accepted as
// another (an ID token is not a bearer credential; a user's access token is not a client's).
const (
	UseClient = "client"
	UseAccess = "access"
	UseID     = "id"
)

// ClientClaims are the claims of a client access token (Mosaic's client and admin tokens).
type ClientClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience Audience `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	JTI      string   `json:"jti"`
	Scope    string   `json:"scope,omitempty"`
	ClientBinding
	AppName string `json:"app_name,omitempty"`
	// Role holds "Admin" in an admin token, a management application's client's; Mosaic
	// documents it as an array.
	Role Roles `json:"role,omitempty"`
	// TSRoles and TSPermissions are an application client's roles and the permissions they
	// grant (package clientroles), as Mosaic's client tokens carry them. They describe the
	// client when the token was issued; each call is checked against the client's roles as
	// they are now (see Caller).
	TSRoles       []string `json:"ts_roles,omitempty"`
	TSPermissions []string `json:"ts_permissions,omitempty"`
	TokenUse      string   `json:"token_use"`
}

// Registered returns the tenant and issuer the claims name. The type holds no raw JSON and no
// map, so the token manager marshals it once (token.Typed).
func (c ClientClaims) Registered() (tenantID, issuer string) { return c.TenantID, c.Issuer }

// RoleAdmin is the role of an admin token.
const RoleAdmin = "Admin"

// Roles is a role claim. It decodes a single string too, as tokens signed before the claim
// became an array carried it.
type Roles []string

// UnmarshalJSON accepts an array of strings or one string.
func (r *Roles) UnmarshalJSON(data []byte) error { return stringOrList(data, (*[]string)(r)) }

// Audience is an aud claim. Mosaic's tokens carry one audience, as a string (RFC 7519 allows
// a string or an array); an array is read too.
type Audience []string

// MarshalJSON writes a single audience as a string.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON accepts an array of strings or one string.
func (a *Audience) UnmarshalJSON(data []byte) error { return stringOrList(data, (*[]string)(a)) }

func stringOrList(data []byte, dst *[]string) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*dst = []string{one}
		return nil
	}
	return json.Unmarshal(data, dst)
}

// Has reports whether r includes role.
func (r Roles) Has(role string) bool { return contains(r, role) }

// TokenResponse is what a token-issuing call returns. Fields that do not apply stay empty.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	SessionID    string `json:"session_id,omitempty"`
	// Scope is the granted scope. The token endpoint returns it (RFC 6749 section 5.1);
	// Mosaic's authenticate and refresh answers do not, so the /cis API leaves it out.
	Scope string `json:"scope,omitempty"`
}

var ErrInvalidClient = fault.New(fault.Unauthenticated, "invalid_client", "client authentication failed")

// Audience resolves the requested resource for a client. An empty resource gives the default
// Audience; any other must be a resource assigned to the client (RFC 8707 invalid_target).
func (s *Service) Audience(ctx context.Context, client model.Client, resource string) (string, error) {
	aud, _, err := s.AudienceResource(ctx, client, resource)
	return aud, err
}

// AudienceResource is Audience that also returns the resource, nil for the default audience,
// whose lifetimes the tokens then take (see WithResource).
func (s *Service) AudienceResource(ctx context.Context, client model.Client, resource string) (string, *model.Resource, error) {
	if resource == "" {
		return DefaultAudience, nil, nil
	}
	res, err := s.store.GetResourceByURI(ctx, client.TenantID, resource)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", nil, fault.Wrap(err, "get resource")
	}
	if err == nil {
		for _, id := range client.ResourceIDs {
			if id == res.ID {
				return res.URI, &res, nil
			}
		}
	}
	return "", nil, fault.New(fault.Invalid, "invalid_target", "resource %q is not assigned to this client", resource)
}

// WithResource returns client as the tokens issued to it for res see it: the lifetimes res
// sets (access and refresh token, the refresh family's absolute lifetime) win over the
// client's, as Mosaic's resource settings do. With res nil it returns client unchanged. The
// result is never stored: it only carries the lifetimes to where tokens are made.
func WithResource(client model.Client, res *model.Resource) model.Client {
	if res == nil {
		return client
	}
	if res.AccessTokenTTL > 0 {
		client.AccessTokenTTL = res.AccessTokenTTL
	}
	if res.RefreshTokenTTL > 0 {
		client.RefreshTokenTTL = res.RefreshTokenTTL
	}
	if res.MaxRefreshRotate > 0 {
		client.MaxRefreshRotate = res.MaxRefreshRotate
	}
	return client
}

var ErrBadBearer = fault.New(fault.Unauthenticated, fault.CodeUnauthorized, "missing, invalid or expired bearer token")

// Caller authenticates an API call by its bearer token: a client access token issued by
// ClientCredentials for Latchkey's own API audience, that still speaks for its client
// (TokenClient: not deleted, secret not rotated since).
func (s *Service) Caller(ctx context.Context, bearer string) (_ model.Caller, err error) {
	ctx, span := s.step(ctx, "auth.caller")
	defer func() { span.End(err) }()
	if bearer == "" {
		return model.Caller{}, ErrBadBearer
	}
	var c ClientClaims
	if err := s.signer.VerifyBearer(ctx, bearer, &c); err != nil {
		if !errors.Is(err, token.ErrInvalidToken) {
			// The keys could not be read: an outage, not the caller's fault.
			return model.Caller{}, fault.Wrap(err, "verify bearer token")
		}
		return model.Caller{}, ErrBadBearer.With(err)
	}
	if c.TokenUse != UseClient || !contains(c.Audience, DefaultAudience) {
		return model.Caller{}, ErrBadBearer
	}
	client, ok, err := s.TokenClient(ctx, c.ClientBinding)
	if err != nil {
		return model.Caller{}, err
	} else if !ok {
		return model.Caller{}, ErrBadBearer
	}
	return callerOf(client, c.Role.Has(RoleAdmin)), nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CallerForClient authenticates a client by its secret, for the OAuth endpoints that take
// client credentials rather than a bearer token.
func (s *Service) CallerForClient(ctx context.Context, clientID, clientSecret string) (_ model.Caller, err error) {
	ctx, span := s.step(ctx, "auth.caller_for_client")
	defer func() { span.End(err) }()
	if clientID == "" || clientSecret == "" {
		return model.Caller{}, ErrInvalidClient
	}
	client, app, err := s.clients.AuthenticateClient(ctx, clientID, clientSecret)
	if err != nil {
		if fault.Is(err, fault.Unauthenticated) || fault.Is(err, fault.NotFound) {
			return model.Caller{}, ErrInvalidClient
		}
		return model.Caller{}, err
	}
	return callerOf(client, app.Kind == model.AppKindManagement), nil
}

// callerOf is the caller a client speaks as. Its permissions come from the client's roles as
// stored now, read with the client that the token check reads anyway: a role taken away stops
// working at once, not when the tokens issued before expire.
func callerOf(client model.Client, admin bool) model.Caller {
	c := model.Caller{TenantID: client.TenantID, AppID: client.AppID, ClientID: client.ID, Admin: admin, Client: &client}
	if !admin {
		c.Permissions = clientroles.ClientPermissions(client)
	}
	return c
}
