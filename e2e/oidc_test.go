package e2e

import (
	"context"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// verifyWith checks a token with go-oidc, an independent implementation that knows only the
// discovery document and the JWKS, and returns its claims.
func verifyWith(t *testing.T, e *env, raw, audience string) map[string]any {
	t.Helper()
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, e.url)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: audience, Now: e.clock.Now})
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func verifyIDToken(t *testing.T, e *env, raw, clientID string) map[string]any {
	t.Helper()
	return verifyWith(t, e, raw, clientID)
}

func verifyAccessToken(t *testing.T, e *env, raw string) map[string]any {
	t.Helper()
	return verifyWith(t, e, raw, "userid-api")
}
