package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// TestProcessMasterKeyCheckAndReseal: a node started with another master key refuses to start
// and says why; `latchkey keys reseal` moves the deployment to a new key, after which the old
// key is refused, the new one serves (the signing keys sign on, users sign in), and
// client secrets, which are keyed hashes, must be issued again.
func TestProcessMasterKeyCheckAndReseal(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		srv := startLatchkeyServer(t, st, "", nil) // development mode: a generated master key file
		boot := srv.waitBootstrap()
		before := srv.token(boot.ClientID, boot.ClientSecret)
		// A session, whose id is kept sealed, is resealed with the rest.
		wantStatus(t, srv.do("POST", "/cis/v1/users", before, map[string]any{"email": "before@example.com"}), 201, "")
		sent := srv.do("POST", "/cis/v1/auth/otp/send", before, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "before@example.com"})
		wantStatus(t, sent, 200, "")
		code0, _ := sent.JSON(t)["code"].(string)
		wantStatus(t, srv.do("POST", "/cis/v1/auth/otp/authenticate", before, map[string]any{"identifier_type": "email", "identifier": "before@example.com", "passcode": code0}), 200, "")
		srv.stop()

		wrongKey := secret.EncodeMasterKey(secret.NewMasterKey())
		res := runLatchkey(t, st, map[string]string{"LATCHKEY_MASTER_KEY": wrongKey}, "serve")
		if res.code == 0 || !strings.Contains(res.stderr, "master key does not open") || !strings.Contains(res.stderr, "keys reseal") {
			t.Fatalf("serve with another master key: status %d, stderr:\n%s", res.code, res.stderr)
		}
		res = runLatchkey(t, st, map[string]string{"LATCHKEY_MASTER_KEY": wrongKey, "LATCHKEY_NEW_MASTER_KEY": wrongKey + "x"}, "keys", "reseal")
		if res.code == 0 {
			t.Fatalf("reseal from a key that does not open the database succeeded: %s", res.stdout)
		}

		newKey := secret.EncodeMasterKey(secret.NewMasterKey())
		res = runLatchkey(t, st, map[string]string{"LATCHKEY_NEW_MASTER_KEY": newKey}, "keys", "reseal")
		if res.code != 0 || !strings.Contains(res.stdout, "resealed") {
			t.Fatalf("keys reseal: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
		}
		res = runLatchkey(t, st, nil, "serve") // the old key, from the file
		if res.code == 0 || !strings.Contains(res.stderr, "master key does not open") {
			t.Fatalf("serve with the old key after reseal: status %d, stderr:\n%s", res.code, res.stderr)
		}

		withNew := map[string]string{"LATCHKEY_MASTER_KEY": newKey}
		res = runLatchkey(t, st, withNew, "init", "--rotate-secrets", "--json")
		var fresh tenancy.Bootstrap
		if res.code != 0 || json.Unmarshal([]byte(res.stdout), &fresh) != nil || fresh.ClientSecret == "" {
			t.Fatalf("init --rotate-secrets with the new key: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
		}
		srv = startLatchkeyServer(t, st, "", withNew)
		wantStatus(t, srv.tokenResponse(boot.ClientID, boot.ClientSecret), 401, "invalid_client")
		tok := srv.token(fresh.ClientID, fresh.ClientSecret)
		// The resealed signing key still signs: new tokens carry the key id of old ones.
		if jwtKid(t, tok) != jwtKid(t, before) || !slices.Contains(jwksKids(t, srv), jwtKid(t, before)) {
			t.Errorf("after the reseal tokens are signed with %s, before with %s; published %v",
				jwtKid(t, tok), jwtKid(t, before), jwksKids(t, srv))
		}
		// A user signs in: the resealed signing key signs their tokens.
		wantStatus(t, srv.do("POST", "/cis/v1/users", tok, map[string]any{"email": "after@example.com"}), 201, "")
		res2 := srv.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "direct", "identifier_type": "email", "identifier": "after@example.com"})
		wantStatus(t, res2, 200, "")
		code, _ := res2.JSON(t)["code"].(string)
		login := srv.do("POST", "/cis/v1/auth/otp/authenticate", tok, map[string]any{"identifier_type": "email", "identifier": "after@example.com", "passcode": code})
		wantStatus(t, login, 200, "")
		if at, _ := login.JSON(t)["access_token"].(string); jwtKid(t, at) == "" {
			t.Fatalf("login answered no access token: %s", login.Body)
		}
	})
}
