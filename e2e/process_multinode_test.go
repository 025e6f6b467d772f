package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// rotationWait bounds the wait for both nodes to use keys rotated by another process: each
// keeps keys and the JWKS in memory for LATCHKEY_KEY_CACHE_TTL, set to 3 seconds here.
const rotationWait = 15 * time.Second

// nodePair is two latchkey processes serving one PostgreSQL schema with the same master key
// and issuer, sharing one SMTP server: Latchkey keeps all its state in the database, so either
// node may serve any request.
type nodePair struct {
	st    procStore
	env   map[string]string // settings shared by both nodes, and by commands run beside them
	nodes [2]*latchkeyProcess
	smtp  *deliverytest.SMTPServer
	boot  tenancy.Bootstrap
}

// startNodePair starts the two nodes, the first on a fresh schema where it bootstraps the
// default tenant. Both issue tokens as the first node's URL.
func startNodePair(t *testing.T) *nodePair {
	t.Helper()
	st := procStore{home: t.TempDir(), database: sqlstore.TestPostgresDSN(t), postgres: true}
	smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	addr := freeLoopbackAddr(t)
	c := &nodePair{st: st, smtp: smtp, env: map[string]string{
		"LATCHKEY_MASTER_KEY": newMasterKeyText(),
		"LATCHKEY_PUBLIC_URL": "http://" + addr,
		"LATCHKEY_SMTP_URL":   smtp.URL(),
		// Long enough that a burst of concurrent refreshes on a slow machine all fall within it.
		"LATCHKEY_REFRESH_GRACE": "1m",
		"LATCHKEY_KEY_CACHE_TTL": "3s",
	}}
	c.nodes[0] = startLatchkeyServer(t, st, addr, c.env)
	c.boot = c.nodes[0].waitBootstrap()
	c.nodes[1] = startLatchkeyServer(t, st, "", c.env)
	return c
}

// appTokens returns a client token of the demo application from each node.
func (c *nodePair) appTokens(t *testing.T) [2]string {
	t.Helper()
	return [2]string{
		nodeToken(t, c.nodes[0], c.boot.ClientID, c.boot.ClientSecret),
		nodeToken(t, c.nodes[1], c.boot.ClientID, c.boot.ClientSecret),
	}
}

// TestProcessMultiNode runs two nodes on one database and checks that sessions, keys, limits,
// the outbox and single-use secrets behave as they do on one node. The subtests share the
// nodes and run in parallel: each uses its own users (and the limits subtest its own
// application), so none sees another's state.
func TestProcessMultiNode(t *testing.T) {
	t.Parallel()
	c := startNodePair(t)
	t.Run("session", func(t *testing.T) { t.Parallel(); multiNodeSession(t, c) })
	t.Run("keys", func(t *testing.T) { t.Parallel(); multiNodeKeys(t, c) })
	t.Run("limits", func(t *testing.T) { t.Parallel(); multiNodeLimits(t, c) })
	t.Run("delivery", func(t *testing.T) { t.Parallel(); multiNodeDelivery(t, c) })
	t.Run("races", func(t *testing.T) { t.Parallel(); multiNodeRaces(t, c) })
	t.Run("new tenant", func(t *testing.T) { t.Parallel(); multiNodeNewTenant(t, c) })
	t.Run("rotation", func(t *testing.T) { t.Parallel(); multiNodeRotation(t, c) })
}

// multiNodeSession: a session made on node 1 is refreshed and silently authenticated on node
// 2, and logging out on node 1 ends it on node 2.
func multiNodeSession(t *testing.T, c *nodePair) {
	n1, n2 := c.nodes[0], c.nodes[1]
	tok := c.appTokens(t)
	const email = "nadia@example.com"
	nodeCreateUser(t, n1, tok[0], email)
	wantStatus(t, nodeCall(t, n1, "POST", "/cis/v1/auth/otp/send", tok[0], otpSendBody("email", email)), 200, "")
	code := smtpCode(t, waitSMTP(t, c.smtp, email, 1)[0])
	login := nodeCall(t, n1, "POST", "/cis/v1/auth/otp/authenticate", tok[0], otpAuthBody(email, code))
	wantStatus(t, login, 200, "")
	sid, first := jsonString(t, login, "session_id"), jsonString(t, login, "refresh_token")

	refreshed := nodeCall(t, n2, "POST", "/cis/v1/auth/token/refresh", tok[1], map[string]any{"refresh_token": first})
	wantStatus(t, refreshed, 200, "")
	second := jsonString(t, refreshed, "refresh_token")
	if second == first || refreshed.JSON(t)["session_id"] != sid {
		t.Fatalf("refresh on node 2 did not rotate the token of session %s: %s", sid, refreshed.Body)
	}
	silent := nodeCall(t, n2, "POST", "/cis/v1/auth/session/authenticate", tok[1], map[string]any{"session_id": sid})
	wantStatus(t, silent, 200, "")
	if silent.JSON(t)["session_id"] != sid {
		t.Fatalf("silent authentication on node 2 answered another session: %s", silent.Body)
	}

	wantStatus(t, nodeCall(t, n1, "POST", "/cis/v1/auth/session/logout", tok[0], map[string]any{"session_id": sid}), 204, "")
	wantStatus(t, nodeCall(t, n2, "POST", "/cis/v1/auth/token/refresh", tok[1], map[string]any{"refresh_token": second}), 400, "invalid_grant")
	wantStatus(t, nodeCall(t, n2, "POST", "/cis/v1/auth/session/authenticate", tok[1], map[string]any{"session_id": sid}), 400, "session_not_found")
}

// nodeJWKSKids returns the key ids p publishes.
func nodeJWKSKids(t *testing.T, p *latchkeyProcess) []string {
	t.Helper()
	res := nodeCall(t, p, "GET", "/cis/oidc/jwks", "", nil)
	wantStatus(t, res, 200, "")
	var kids []string
	keys, _ := res.JSON(t)["keys"].([]any)
	for _, k := range keys {
		kid, _ := k.(map[string]any)["kid"].(string)
		kids = append(kids, kid)
	}
	return kids
}

// multiNodeKeys: client tokens of either node are good bearer tokens on the other, and a
// rotation by `latchkey keys rotate` reaches both running nodes.
func multiNodeKeys(t *testing.T, c *nodePair) {
	n1, n2 := c.nodes[0], c.nodes[1]
	old := c.appTokens(t)
	oldKid := jwtKid(t, old[0])
	if k := jwtKid(t, old[1]); k != oldKid {
		t.Fatalf("the nodes sign with different keys before any rotation: %s and %s", oldKid, k)
	}
	before := nodeJWKSKids(t, n1)
	if b2 := nodeJWKSKids(t, n2); !slices.Equal(sortedKids(before), sortedKids(b2)) {
		t.Fatalf("the nodes publish different keys: %v and %v", before, b2)
	}
	wantStatus(t, nodeCall(t, n2, "GET", "/cis/v1/users", old[0], nil), 200, "")
	wantStatus(t, nodeCall(t, n1, "GET", "/cis/v1/users", old[1], nil), 200, "")

	res := runLatchkey(t, c.st, c.env, "keys", "rotate")
	if res.code != 0 || !strings.Contains(res.stdout, "deployment's signing keys") {
		t.Fatalf("keys rotate: status %d, stdout %q, stderr:\n%s", res.code, res.stdout, res.stderr)
	}

	// Each node, once its cache expires, publishes one more key and signs with the key that
	// was published and waiting before the rotation. Meanwhile every token either node signs,
	// with the old key or the new, is good on the other, whatever the other's cache holds.
	var fresh [2]string
	deadline := time.Now().Add(rotationWait)
	for fresh[0] == "" || fresh[1] == "" {
		if time.Now().After(deadline) {
			t.Fatalf("after %s, node 1 signs with the promoted key: %v, node 2: %v", rotationWait, fresh[0] != "", fresh[1] != "")
		}
		for i, n := range c.nodes {
			tok := nodeToken(t, n, c.boot.ClientID, c.boot.ClientSecret)
			wantStatus(t, nodeCall(t, c.nodes[1-i], "GET", "/cis/v1/users", tok, nil), 200, "")
			if fresh[i] != "" {
				continue
			}
			after := nodeJWKSKids(t, n)
			if len(after) != len(before)+1 || jwtKid(t, tok) == oldKid {
				continue
			}
			for _, kid := range before {
				if !slices.Contains(after, kid) {
					t.Fatalf("node %d no longer publishes key %s after the rotation: %v", i+1, kid, after)
				}
			}
			if !slices.Contains(before, jwtKid(t, tok)) {
				t.Fatalf("node %d signs with %s, which was not published before the rotation (%v)", i+1, jwtKid(t, tok), before)
			}
			fresh[i] = tok
		}
		time.Sleep(250 * time.Millisecond)
	}
	if jwtKid(t, fresh[0]) != jwtKid(t, fresh[1]) {
		t.Fatalf("after the rotation the nodes sign with different keys: %s and %s", jwtKid(t, fresh[0]), jwtKid(t, fresh[1]))
	}
	for _, tok := range old {
		for _, n := range c.nodes {
			wantStatus(t, nodeCall(t, n, "GET", "/cis/v1/users", tok, nil), 200, "")
		}
	}
}

func sortedKids(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// multiNodeLimits: failure counters and send limits are kept in the database, so a client
// cannot double its allowance by spreading requests over nodes. The limits are set on an
// application of their own, leaving the demo application's defaults to the other subtests.
func multiNodeLimits(t *testing.T, c *nodePair) {
	n1, n2 := c.nodes[0], c.nodes[1]
	admin := nodeToken(t, n1, c.boot.AdminClientID, c.boot.AdminClientSecret)
	created := nodeCall(t, n1, "POST", "/cis/v1/applications", admin, map[string]any{"app_name": "limited", "redirect_uris": []string{"https://limited.example/cb"}})
	wantStatus(t, created, 201, "")
	app, _ := created.JSON(t)["result"].(map[string]any)
	appID, _ := app["app_id"].(string)
	clientID, _ := app["client_id"].(string)
	clientSecret, _ := app["client_secret"].(string)
	if appID == "" || clientID == "" || clientSecret == "" {
		t.Fatalf("created application lacks ids or secret: %s", created.Body)
	}
	prefs := map[string]any{"email_otp": map[string]any{"maxFailures": 3}, "rate_limits": map[string]any{"sendsPerIdentifier": 3}}
	wantStatus(t, nodeCall(t, n1, "PUT", "/cis/loginPreferences/"+appID+"/authMethods", admin, prefs), 200, "")
	tok := [2]string{nodeToken(t, n1, clientID, clientSecret), nodeToken(t, n2, clientID, clientSecret)}

	// Wrong codes alternate between the nodes; the third, wherever it lands, locks the user.
	const locked = "lola@example.com"
	nodeCreateUser(t, n2, tok[1], locked)
	sent := nodeCall(t, n2, "POST", "/cis/v1/auth/otp/send", tok[1], otpSendBody("direct", locked))
	wantStatus(t, sent, 200, "")
	code := jsonString(t, sent, "code")
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	wantStatus(t, nodeCall(t, n1, "POST", "/cis/v1/auth/otp/authenticate", tok[0], otpAuthBody(locked, wrong)), 400, "auth_invalid_credentials")
	wantStatus(t, nodeCall(t, n2, "POST", "/cis/v1/auth/otp/authenticate", tok[1], otpAuthBody(locked, wrong)), 400, "auth_invalid_credentials")
	third := nodeCall(t, n1, "POST", "/cis/v1/auth/otp/authenticate", tok[0], otpAuthBody(locked, wrong))
	wantStatus(t, third, 403, "auth_locked")
	wantRetryAfter(t, third, 15*time.Minute) // the default lockoutDuration
	wantStatus(t, nodeCall(t, n2, "POST", "/cis/v1/auth/otp/authenticate", tok[1], otpAuthBody(locked, code)), 403, "auth_locked")

	// Three sends per identifier, spread over both nodes; the fourth is refused on either.
	const limited = "lenny@example.com"
	nodeCreateUser(t, n1, tok[0], limited)
	for i := range 3 {
		wantStatus(t, nodeCall(t, c.nodes[i%2], "POST", "/cis/v1/auth/otp/send", tok[i%2], otpSendBody("direct", limited)), 200, "")
	}
	for i := range 2 {
		res := nodeCall(t, c.nodes[(i+1)%2], "POST", "/cis/v1/auth/otp/send", tok[(i+1)%2], otpSendBody("direct", limited))
		wantStatus(t, res, 429, "too_many_requests")
		wantRetryAfter(t, res, time.Hour) // the send limits count per hour
	}
}

// wantRetryAfter fails t unless res says to retry after some seconds, at most limit.
func wantRetryAfter(t *testing.T, res response, limit time.Duration) {
	t.Helper()
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || secs <= 0 || time.Duration(secs)*time.Second > limit {
		t.Fatalf("Retry-After is %q, want 1 to %d seconds", res.Header.Get("Retry-After"), int(limit.Seconds()))
	}
}

// multiNodeDelivery: both nodes' outbox workers lease from one outbox, and every message goes
// out exactly once whichever node queued it.
func multiNodeDelivery(t *testing.T, c *nodePair) {
	tok := c.appTokens(t)
	const users = 30
	emails := make([]string, users)
	for i := range emails {
		emails[i] = fmt.Sprintf("outbox%02d@example.com", i)
		nodeCreateUser(t, c.nodes[i%2], tok[i%2], emails[i])
	}
	// All sends at once, so that both workers are busy with the outbox together.
	errs := make([]error, users)
	var wg sync.WaitGroup
	for i, email := range emails {
		wg.Go(func() {
			res, err := nodeRequest(context.Background(), c.nodes[i%2], "POST", "/cis/v1/auth/otp/send", tok[i%2], otpSendBody("email", email))
			if err == nil && res.Status != 200 {
				err = fmt.Errorf("status %d: %s", res.Status, res.Body)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("send to %s through node %d: %v", emails[i], i%2+1, err)
		}
	}

	codes := make([]string, users)
	for i, email := range emails {
		codes[i] = smtpCode(t, waitSMTP(t, c.smtp, email, 1)[0])
	}
	// A duplicate sent by the other node would come moments later: give it the time to.
	time.Sleep(3 * time.Second)
	total := 0
	for _, m := range c.smtp.Messages() {
		for _, to := range m.EnvelopeTo {
			if strings.HasPrefix(to, "outbox") {
				total++
			}
		}
	}
	for _, email := range emails {
		if n := len(waitSMTP(t, c.smtp, email, 1)); n != 1 {
			t.Errorf("%s received %d messages, want exactly 1", email, n)
		}
	}
	if total != users {
		t.Fatalf("the SMTP server received %d messages for the %d users, want %d", total, users, users)
	}
	// Each message carries its user's live code, redeemable on the node that did not queue it.
	for i, email := range emails {
		other := (i + 1) % 2
		wantStatus(t, nodeCall(t, c.nodes[other], "POST", "/cis/v1/auth/otp/authenticate", tok[other], otpAuthBody(email, codes[i])), 200, "")
	}
}
