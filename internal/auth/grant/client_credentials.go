package grant

import (
	"context"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// ClientTokenRequest is a client-credentials grant (RFC 6749 section 4.4).
type ClientTokenRequest struct {
	ClientID     string
	ClientSecret string
	Resource     string // RFC 8707; becomes the audience
	Scope        string
}

// ClientCredentials runs the client-credentials grant and returns a client access token in
// the shape of Mosaic's: sub and client_id the client, app_id and app_name its application,
// tid, the audience, the granted scope and, for a management application's client, an admin
// token for its whole tenant (role ["Admin"]); any other client's token names its roles and
// their permissions (ts_roles, ts_permissions). A scope Latchkey does not grant is refused
// (invalid_scope) rather than dropped; none asked for grants Mosaic's default.
func (s *Service) ClientCredentials(ctx context.Context, req ClientTokenRequest) (auth.TokenResponse, error) {
	if req.ClientID == "" || req.ClientSecret == "" {
		return auth.TokenResponse{}, auth.ErrInvalidClient
	}
	client, app, err := s.clients.AuthenticateClient(ctx, req.ClientID, req.ClientSecret)
	if err != nil {
		if fault.Is(err, fault.Unauthenticated) || fault.Is(err, fault.NotFound) {
			return auth.TokenResponse{}, auth.ErrInvalidClient
		}
		return auth.TokenResponse{}, err
	}
	scope, err := auth.ParseScope(req.Scope)
	if err != nil {
		return auth.TokenResponse{}, err
	}
	if scope == "" {
		scope = auth.DefaultClientScope
	}
	aud, res, err := s.core.AudienceResource(ctx, client, req.Resource)
	if err != nil {
		return auth.TokenResponse{}, err
	}
	now := s.core.Now()
	ttl := s.opts.AccessTokenTTL
	if res != nil && res.AccessTokenTTL > 0 {
		// A token for a resource lives as long as the resource says (its access_token_ttl).
		ttl = time.Duration(res.AccessTokenTTL) * time.Second
	}
	claims := auth.ClientClaims{
		Issuer: s.opts.Issuer, Subject: client.ID, Audience: []string{aud},
		IssuedAt: now.Unix(), Expiry: now.Add(ttl).Unix(), JTI: model.NewID(), Scope: scope,
		ClientBinding: auth.ClientBinding{TenantID: client.TenantID, AppID: app.ID, ClientID: client.ID, ClientEpoch: client.TokenEpoch},
		AppName:       app.Name, TokenUse: auth.UseClient,
	}
	if app.Kind == model.AppKindManagement {
		claims.Role = auth.Roles{auth.RoleAdmin}
	} else if len(client.RoleIDs) > 0 {
		claims.TSRoles = slices.Clone(client.RoleIDs)
		claims.TSPermissions = clientroles.ClientPermissions(client)
	}
	tok, err := s.signer.SignTyped(ctx, client.TenantID, "at+jwt", claims)
	if err != nil {
		return auth.TokenResponse{}, fault.Wrap(err, "sign client token")
	}
	return auth.TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds()), Scope: scope}, nil
}
