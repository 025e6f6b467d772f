package e2e

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// keyCacheWait bounds the wait for a running server to see keys changed by another process:
// the server below keeps keys for LATCHKEY_KEY_CACHE_TTL, 3 seconds; the rest is slack for a
// slow machine.
const keyCacheWait = 30 * time.Second

func TestProcessMigrate(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		for i := range 2 {
			res := runLatchkey(t, st, nil, "migrate")
			if res.code != 0 || !strings.Contains(res.stdout, "up to date") {
				t.Fatalf("migrate run %d: status %d, stdout %q, stderr:\n%s", i+1, res.code, res.stdout, res.stderr)
			}
		}
		// The migrated database is empty and usable: a server starts on it and bootstraps.
		srv := startLatchkeyServer(t, st, "", nil)
		boot := srv.waitBootstrap()
		srv.token(boot.ClientID, boot.ClientSecret)
	})
}

// jwksKids returns the key ids the server publishes.
func jwksKids(t *testing.T, p *latchkeyProcess) []string {
	t.Helper()
	res := p.do("GET", "/cis/oidc/jwks", "", nil)
	wantStatus(t, res, 200, "")
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(res.Body, &set); err != nil {
		t.Fatalf("JWKS is not JSON: %s", res.Body)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// jwtKid returns the kid in a JWT's header.
func jwtKid(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	data, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatalf("JWT header is not base64url: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(data, &h); err != nil || h.Kid == "" {
		t.Fatalf("JWT header has no kid: %s", data)
	}
	return h.Kid
}

func TestProcessKeysRotateWhileServing(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		srv := startLatchkeyServer(t, st, "", map[string]string{"LATCHKEY_KEY_CACHE_TTL": "3s"})
		boot := srv.waitBootstrap()
		old := srv.token(boot.ClientID, boot.ClientSecret)
		oldKid := jwtKid(t, old)
		before := jwksKids(t, srv)
		if !slices.Contains(before, oldKid) {
			t.Fatalf("the JWKS %v lacks the signing key %s", before, oldKid)
		}

		res := runLatchkey(t, st, nil, "keys", "rotate")
		if res.code != 0 || !strings.Contains(res.stdout, "deployment's signing keys") {
			t.Fatalf("keys rotate: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
		}

		// The running server publishes the new validating key once its cache expires, and
		// keeps publishing every key it published before.
		var after []string
		pollUntil(t, keyCacheWait, "the JWKS to publish one more key", func() bool {
			after = jwksKids(t, srv)
			return len(after) > len(before)
		})
		if len(after) != len(before)+1 {
			t.Fatalf("JWKS went from %d keys to %d, want one more", len(before), len(after))
		}
		for _, kid := range before {
			if !slices.Contains(after, kid) {
				t.Fatalf("key %s is no longer published after rotation: %v", kid, after)
			}
		}
		wantStatus(t, srv.do("GET", "/cis/v1/users", old, nil), 200, "")

		// New tokens are signed with the key that was waiting to sign, and work too.
		var fresh string
		pollUntil(t, keyCacheWait, "tokens signed with the promoted key", func() bool {
			fresh = srv.token(boot.ClientID, boot.ClientSecret)
			return jwtKid(t, fresh) != oldKid
		})
		if kid := jwtKid(t, fresh); !slices.Contains(before, kid) {
			t.Fatalf("new tokens are signed with %s, which was not published before the rotation (%v)", kid, before)
		}
		wantStatus(t, srv.do("GET", "/cis/v1/users", fresh, nil), 200, "")
		wantStatus(t, srv.do("GET", "/cis/v1/users", old, nil), 200, "")
	})
}
