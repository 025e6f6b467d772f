package e2e

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/tenancy"
)

// multiNodeNewTenant: a tenant created by `latchkey init` beside two running nodes gets, from
// either node, a first token whose key both nodes' JWKS list at once, without waiting for any
// cache to expire.
func multiNodeNewTenant(t *testing.T, c *nodePair) {
	for _, n := range c.nodes {
		nodeJWKSKids(t, n) // both nodes have loaded and published their keys
	}
	res := runLatchkey(t, c.st, c.env, "init", "--json", "--tenant", "created-beside-the-nodes")
	if res.code != 0 {
		t.Fatalf("init: status %d, stderr:\n%s", res.code, res.stderr)
	}
	var b tenancy.Bootstrap
	if err := json.Unmarshal([]byte(res.stdout), &b); err != nil || b.ClientSecret == "" {
		t.Fatalf("init output %q: %v", res.stdout, err)
	}
	for i, n := range c.nodes {
		tok := nodeToken(t, n, b.ClientID, b.ClientSecret)
		kid := jwtKid(t, tok)
		if kids := nodeJWKSKids(t, n); !slices.Contains(kids, kid) {
			t.Fatalf("node %d signed the new tenant's first token with %s, which its JWKS %v lacks", i+1, kid, kids)
		}
		if kids := nodeJWKSKids(t, c.nodes[1-i]); !slices.Contains(kids, kid) {
			t.Fatalf("node %d signed the new tenant's first token with %s, which node %d's JWKS %v lacks", i+1, kid, 2-i, kids)
		}
		wantStatus(t, nodeCall(t, c.nodes[1-i], "GET", "/cis/v1/users", tok, nil), 200, "")
	}
}
