package client

import (
	"context"
	"encoding/json"
	"net/url"
)

// TokenResponse is what a login, a silent login or a refresh answers: the user's tokens and
// the session they belong to. The client-credentials grant answers the same shape without the
// user's fields.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	SessionID    string `json:"session_id,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// Claims asks for claims beyond those every token carries (OpenID Connect's claims request):
// each name maps to nil, e.g. Claims{IDToken: map[string]any{"email": nil}}.
type Claims struct {
	IDToken     map[string]any `json:"id_token,omitempty"`
	AccessToken map[string]any `json:"access_token,omitempty"`
}

// ClientAttributes describe the end user's device, for rate limits and the audit log.
type ClientAttributes struct {
	IPAddress string `json:"ip_address,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// Login holds the fields every authenticate call takes.
type Login struct {
	// SessionID adds the factor to this existing session instead of starting a new one.
	SessionID string `json:"session_id,omitempty"`
	// Resource is the URI of a resource assigned to the client; the access token's aud is it.
	Resource         string            `json:"resource,omitempty"`
	Claims           *Claims           `json:"claims,omitempty"`
	ClientAttributes *ClientAttributes `json:"client_attributes,omitempty"`
}

// Identifier types.
const (
	IdentifierEmail    = "email"
	IdentifierPhone    = "phone_number"
	IdentifierUserID   = "user_id"
	IdentifierUsername = "username"
)

// OTP channels.
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelDirect = "direct"
)

// OTPSend asks for a one-time passcode.
type OTPSend struct {
	Channel           string            `json:"channel"`
	IdentifierType    string            `json:"identifier_type"`
	Identifier        string            `json:"identifier"`
	ExpiresIn         int               `json:"expires_in,omitempty"`
	GenerateRequestID bool              `json:"generate_request_id,omitempty"`
	ApprovalData      map[string]any    `json:"approval_data,omitempty"`
	ClientAttributes  *ClientAttributes `json:"client_attributes,omitempty"`
}

// OTPSent is the answer to a send. Code is set for the direct channel only.
type OTPSent struct {
	Message      string         `json:"message"`
	Code         string         `json:"code,omitempty"`
	RequestID    string         `json:"request_id,omitempty"`
	ApprovalData map[string]any `json:"approval_data,omitempty"`
}

// SendOTP creates a passcode and delivers it (or returns it, for the direct channel).
func (c *Client) SendOTP(ctx context.Context, in OTPSend) (*OTPSent, error) {
	var out OTPSent
	if err := c.Do(ctx, "POST", "/cis/v1/auth/otp/send", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OTPLogin redeems a passcode.
type OTPLogin struct {
	Passcode       string `json:"passcode"`
	IdentifierType string `json:"identifier_type"`
	Identifier     string `json:"identifier"`
	RequestID      string `json:"request_id,omitempty"`
	Login
}

// AuthenticateOTP signs a user in with a passcode.
func (c *Client) AuthenticateOTP(ctx context.Context, in OTPLogin) (*TokenResponse, error) {
	return c.tokens(ctx, "/cis/v1/auth/otp/authenticate", in)
}

// MagicLinkSend asks for a magic link. RedirectURI must be registered on the application or
// the client.
type MagicLinkSend struct {
	IdentifierType    string            `json:"identifier_type"`
	Identifier        string            `json:"identifier"`
	RedirectURI       string            `json:"redirect_uri"`
	State             string            `json:"state,omitempty"`
	Channel           string            `json:"channel,omitempty"`
	EmailExpiration   int               `json:"email_expiration,omitempty"`
	GenerateRequestID bool              `json:"generate_request_id,omitempty"`
	ClientAttributes  *ClientAttributes `json:"client_attributes,omitempty"`
}

// MagicLinkSent is the answer to a send. Link is set for the direct channel only.
type MagicLinkSent struct {
	Message   string `json:"message"`
	Link      string `json:"link,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// SendMagicLink emails a magic link (or returns it, for the direct channel).
func (c *Client) SendMagicLink(ctx context.Context, in MagicLinkSend) (*MagicLinkSent, error) {
	var out MagicLinkSent
	if err := c.Do(ctx, "POST", "/cis/v1/auth/link/email/send", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MagicLinkLogin redeems the code a magic link carried.
type MagicLinkLogin struct {
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
	Login
}

// AuthenticateMagicLink signs a user in with a magic link's code.
func (c *Client) AuthenticateMagicLink(ctx context.Context, in MagicLinkLogin) (*TokenResponse, error) {
	return c.tokens(ctx, "/cis/v1/auth/link/email/authenticate", in)
}

// PasswordLogin signs in with a password. UsernameType is "username" (the default), "email"
// or "phone_number".
type PasswordLogin struct {
	Username     string `json:"username"`
	UsernameType string `json:"username_type,omitempty"`
	Password     string `json:"password"`
	Login
}

// AuthenticatePassword signs a user in with a password.
func (c *Client) AuthenticatePassword(ctx context.Context, in PasswordLogin) (*TokenResponse, error) {
	return c.tokens(ctx, "/cis/v1/auth/password/authenticate", in)
}

// SessionLogin asks for tokens for an existing session (silent login, single sign-on).
// Login.SessionID names the session.
type SessionLogin struct {
	Login
}

// AuthenticateSession issues tokens for an existing session of any application of the tenant.
func (c *Client) AuthenticateSession(ctx context.Context, in SessionLogin) (*TokenResponse, error) {
	return c.tokens(ctx, "/cis/v1/auth/session/authenticate", in)
}

// Refresh exchanges a refresh token for new tokens; the presented one is spent.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*TokenResponse, error) {
	return c.tokens(ctx, "/cis/v1/auth/token/refresh", map[string]string{"refresh_token": refreshToken})
}

// Logout ends a session (by its id) and revokes its refresh tokens.
func (c *Client) Logout(ctx context.Context, sessionID string) error {
	return c.Do(ctx, "POST", "/cis/v1/auth/session/logout", map[string]string{"session_id": sessionID}, nil)
}

func (c *Client) tokens(ctx context.Context, path string, in any) (*TokenResponse, error) {
	var out TokenResponse
	if err := c.Do(ctx, "POST", path, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Introspection is an RFC 7662 answer. Claims holds every member, the ones without a field
// included.
type Introspection struct {
	Active    bool           `json:"active"`
	Subject   string         `json:"sub,omitempty"`
	ClientID  string         `json:"client_id,omitempty"`
	Scope     string         `json:"scope,omitempty"`
	TokenType string         `json:"token_type,omitempty"`
	Expiry    int64          `json:"exp,omitempty"`
	SessionID string         `json:"sid,omitempty"`
	Claims    map[string]any `json:"-"`
}

// Introspect asks whether a token is live (RFC 7662): an access token whose session ended or a
// revoked refresh token is reported inactive at once, where a signature check alone cannot
// tell.
func (c *Client) Introspect(ctx context.Context, token string) (*Introspection, error) {
	var raw json.RawMessage
	if err := c.postForm(ctx, "/oidc/token/introspection", url.Values{"token": {token}}, &raw); err != nil {
		return nil, err
	}
	var out Introspection
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out.Claims); err != nil {
		return nil, err
	}
	return &out, nil
}
