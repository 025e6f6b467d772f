package e2e

import (
	"context"
	"sync"
	"testing"
)

// burstOutcome is the answer to one request of a burst, or why there was none.
type burstOutcome struct {
	res response
	err error
}

// burst sends 2×perNode requests at once, half to each node, and returns their outcomes.
// Every goroutine waits at a barrier so that the requests really overlap.
func pairBurst(c *nodePair, perNode int, send func(ctx context.Context, p *latchkeyProcess, node int) (response, error)) []burstOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	out := make([]burstOutcome, 2*perNode)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range out {
		node := i % 2
		wg.Go(func() {
			<-start
			res, err := send(ctx, c.nodes[node], node)
			out[i] = burstOutcome{res, err}
		})
	}
	close(start)
	wg.Wait()
	return out
}

// multiNodeRaces: a code is redeemed once, and a refresh token rotated once, however many
// requests race for it on however many nodes.
func multiNodeRaces(t *testing.T, c *nodePair) {
	n1 := c.nodes[0]
	tok := c.appTokens(t)

	const redeemed = "rhea@example.com"
	nodeCreateUser(t, n1, tok[0], redeemed)
	sent := nodeCall(t, n1, "POST", "/cis/v1/auth/otp/send", tok[0], otpSendBody("direct", redeemed))
	wantStatus(t, sent, 200, "")
	code := jsonString(t, sent, "code")
	outcomes := pairBurst(c, 50, func(ctx context.Context, p *latchkeyProcess, node int) (response, error) {
		return nodeRequest(ctx, p, "POST", "/cis/v1/auth/otp/authenticate", tok[node], otpAuthBody(redeemed, code))
	})
	wins := 0
	for i, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("redemption %d: %v", i, o.err)
		case o.res.Status == 200:
			wins++
		case o.res.Status != 400 && o.res.Status != 403:
			// A spent code is a wrong code (400) until the identifier's failures lock it (403).
			t.Errorf("redemption %d: status %d, want 200, 400 or 403: %s", i, o.res.Status, o.res.Body)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d parallel redemptions of one code succeeded, want exactly 1", wins, len(outcomes))
	}

	const refreshed = "rory@example.com"
	nodeCreateUser(t, n1, tok[0], refreshed)
	sent = nodeCall(t, n1, "POST", "/cis/v1/auth/otp/send", tok[0], otpSendBody("direct", refreshed))
	wantStatus(t, sent, 200, "")
	login := nodeCall(t, n1, "POST", "/cis/v1/auth/otp/authenticate", tok[0], otpAuthBody(refreshed, jsonString(t, sent, "code")))
	wantStatus(t, login, 200, "")
	rt := jsonString(t, login, "refresh_token")
	outcomes = pairBurst(c, 50, func(ctx context.Context, p *latchkeyProcess, node int) (response, error) {
		return nodeRequest(ctx, p, "POST", "/cis/v1/auth/token/refresh", tok[node], map[string]any{"refresh_token": rt})
	})
	successors := map[string]int{}
	for i, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("refresh %d: %v", i, o.err)
		case o.res.Status == 200:
			successors[jsonString(t, o.res, "refresh_token")]++
		default:
			// Every refresh falls within the grace window: each gets the successor.
			t.Errorf("refresh %d: status %d, want 200: %s", i, o.res.Status, o.res.Body)
		}
	}
	if len(successors) != 1 {
		t.Fatalf("parallel refreshes of one token got %d different successors, want 1: %v", len(successors), successors)
	}
	for next := range successors {
		if next == rt {
			t.Fatal("refresh returned the presented token as its successor")
		}
		again := nodeCall(t, c.nodes[1], "POST", "/cis/v1/auth/token/refresh", tok[1], map[string]any{"refresh_token": next})
		wantStatus(t, again, 200, "")
		if jsonString(t, again, "refresh_token") == next {
			t.Fatal("refreshing the successor did not rotate it")
		}
	}
}
