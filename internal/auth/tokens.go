package auth

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// amr lists the distinct methods of a session's factors, in the order first used, and adds
// "mfa" once two different kinds of factor are present.
func amr(factors []model.Factor) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range factors {
		if !seen[f.Method] {
			seen[f.Method] = true
			out = append(out, f.Method)
		}
	}
	if len(out) >= 2 {
		out = append(out, model.AMRMFA)
	}
	return out
}

// authTime is the time of the session's latest factor.
func authTime(factors []model.Factor) time.Time {
	var t time.Time
	for _, f := range factors {
		if f.At.After(t) {
			t = f.At
		}
	}
	return t
}

// Sign produces the ID and access tokens for an issued login and assembles the response.
// Tokens name the session by sess.ID, its reference, which cannot Sign anyone in; the id
// itself appears only in the response's session_id.
func (s *Service) Sign(ctx context.Context, is Issued, claims ClaimsRequest, now time.Time) (_ TokenResponse, err error) {
	ctx, span := s.step(ctx, "auth.sign")
	defer func() { span.End(err) }()
	sess := is.Session
	accessTTL := s.opts.AccessTokenTTL
	if is.Client.AccessTokenTTL > 0 {
		accessTTL = time.Duration(is.Client.AccessTokenTTL) * time.Second
	}
	methods := amr(sess.Factors)
	at := authTime(sess.Factors).Unix()

	id := map[string]any{
		"iss": s.opts.Issuer, "sub": sess.UserID, "aud": is.Client.ID,
		"iat": now.Unix(), "exp": now.Add(s.opts.IDTokenTTL).Unix(), "auth_time": at,
		"tid": sess.TenantID, "amr": methods, "sid": sess.ID, "token_use": UseID,
	}
	addUserClaims(id, claims.IDToken, is.Client.DefaultCustomClaims, is.User, is.Link, is.App)
	if len(is.Approval) > 0 {
		// The transaction the user approved by this login (Mosaic's transaction signing).
		id["approval_data"] = json.RawMessage(is.Approval)
	}

	access := map[string]any{
		"iss": s.opts.Issuer, "sub": sess.UserID, "aud": is.Aud, "scope": "openid offline_access",
		"client_id": is.Client.ID, "app_id": is.App.ID, "app_name": is.App.Name, "client_epoch": is.Client.TokenEpoch,
		"tid": sess.TenantID, "sid": sess.ID, "jti": model.NewID(), "iat": now.Unix(),
		"exp": now.Add(accessTTL).Unix(), "auth_time": at, "amr": methods, "token_use": UseAccess,
	}
	addUserClaims(access, claims.AccessToken, nil, is.User, is.Link, is.App)

	// The two signatures are independent; with RSA each costs about a millisecond, so they run
	// side by side to halve a login's latency.
	var idToken string
	var idErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		idToken, idErr = s.signer.SignTyped(ctx, sess.TenantID, "JWT", id)
	}()
	accessToken, err := s.signer.SignTyped(ctx, sess.TenantID, "at+jwt", access)
	<-done
	if idErr != nil {
		return TokenResponse{}, fault.Wrap(idErr, "sign id token")
	}
	if err != nil {
		return TokenResponse{}, fault.Wrap(err, "sign access token")
	}
	return TokenResponse{
		AccessToken: accessToken, IDToken: idToken, RefreshToken: is.Refresh,
		TokenType: "Bearer", ExpiresIn: int(accessTTL.Seconds()), SessionID: is.SessionID,
	}, nil
}

// RequestableClaims is the set of claim names a client may request or set as defaults.
func RequestableClaims() []string {
	names := []string{
		"email", "email_verified", "phone_number", "phone_number_verified", "fname", "lname",
		"mname", "username", "external_user_id", "birthday", "language", "picture", "city",
		"country", "street_address", "address_type", "address", "secondary_emails",
		"secondary_phone_numbers", "created_at", "last_auth", "custom_data", "custom_app_data",
		"app_name",
	}
	sort.Strings(names)
	return names
}
