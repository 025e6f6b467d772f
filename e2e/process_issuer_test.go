package e2e

import "testing"

// The real binary takes the issuer from LATCHKEY_ISSUER alone: its tokens and its discovery
// document name Mosaic's issuer while its endpoints stay at its own URL.
func TestProcessIssuerSetting(t *testing.T) {
	t.Parallel()
	const issuer = "https://userid.security"
	p := startLatchkeyServer(t, sqliteStore(t), "", map[string]string{"LATCHKEY_ISSUER": issuer})
	boot := p.waitBootstrap()
	tok := p.token(boot.ClientID, boot.ClientSecret)
	if iss := claimsOf(t, tok)["iss"]; iss != issuer {
		t.Errorf("client token iss %v, want %s", iss, issuer)
	}
	d := p.do("GET", "/.well-known/openid-configuration", "", nil).JSON(t)
	if d["issuer"] != issuer || d["token_endpoint"] != p.url+"/oidc/token" {
		t.Errorf("discovery: issuer %v, token_endpoint %v", d["issuer"], d["token_endpoint"])
	}
	// The server accepts its own tokens under the pinned issuer.
	wantStatus(t, p.do("GET", "/cis/v1/users", tok, nil), 200, "")
}
