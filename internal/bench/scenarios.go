package bench

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Cost is what one request of a floor does besides HTTP: signatures made, signatures
// verified, argon2id hashes computed and durable commits (a transaction inserting one
// session-sized row on the server's database engine).
type Cost struct {
	Sign   int `json:"sign"`
	Verify int `json:"verify"`
	Argon2 int `json:"argon2"`
	Commit int `json:"commit,omitempty"`
}

func (c Cost) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(c.Sign, "sign")
	add(c.Verify, "verify")
	add(c.Argon2, "argon2id")
	add(c.Commit, "commit")
	if len(parts) == 0 {
		return "HTTP"
	}
	return "HTTP+" + strings.Join(parts, "+")
}

// Scenario is one benchmarked flow.
type Scenario struct {
	Name string
	// Floor is, per request of an iteration, the work the flow cannot avoid: the bearer
	// token's verification and the tokens it signs (an access and an ID token per login).
	Floor []Cost
	// Setup prepares what the flow needs (users, limits) and returns its workers.
	Setup func(ctx context.Context, e *Env) (NewWorker, error)
	// Run, when set instead of Setup, measures a scenario that is more than one closed loop.
	Run func(ctx context.Context, e *Env) (ScenarioResult, error)
	// Flood marks a scenario that needs a client of a second tenant (Options.FloodClientID).
	Flood bool
	// Timing, set instead of Setup, is a scenario that measures no throughput: it times
	// requests one at a time and compares two sides (see EnumerationRoute).
	Timing func(ctx context.Context, e *Env) ([]EnumerationRoute, error)
	// Explicit marks a scenario that runs only when named, not in the default selection.
	Explicit bool
}

// WithCommit is costs with the one durable commit a login cannot avoid added to the step that
// issues the session's tokens (two signatures); nil when no step does, as for flows that
// write nothing.
func WithCommit(costs []Cost) []Cost {
	out := append([]Cost(nil), costs...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Sign >= 2 {
			out[i].Commit = 1
			return out
		}
	}
	return nil
}

// login is the floor of an endpoint that checks a client token and returns an access token
// and an ID token.
var login = Cost{Verify: 1, Sign: 2}

// Scenarios returns every scenario, in the default order.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: "client-credentials", Floor: []Cost{{Sign: 1}}, Setup: clientCredentials},
		{Name: "otp-login", Floor: []Cost{{Verify: 1}, login}, Setup: otpLoginScenario},
		{Name: "otp-login-org", Floor: []Cost{{Verify: 1}, login}, Setup: otpOrgLoginScenario},
		{Name: "refresh", Floor: []Cost{login}, Setup: refreshScenario},
		{Name: "session-authenticate", Floor: []Cost{login}, Setup: sessionScenario},
		{Name: "introspect", Floor: []Cost{{Verify: 1}}, Setup: introspectScenario},
		{Name: "jwks", Floor: []Cost{{}}, Setup: jwksScenario},
		{Name: "password-login", Floor: []Cost{{Verify: 1, Sign: 2, Argon2: 1}}, Setup: passwordScenario},
		{Name: "magic-link", Floor: []Cost{{Verify: 1}, login}, Setup: magicLinkScenario},
		{Name: "password-fairness", Floor: []Cost{{Verify: 1, Sign: 2, Argon2: 1}}, Run: runFairness, Flood: true},
		{Name: "enumeration-timing", Timing: enumerationTiming},
		{Name: "data-size", Run: runDataSize, Explicit: true},
	}
}

// Select returns the named scenarios in the order given; an empty list selects all.
func Select(names []string) ([]Scenario, error) {
	all := Scenarios()
	if len(names) == 0 {
		return slices.DeleteFunc(slices.Clone(all), func(s Scenario) bool { return s.Explicit }), nil
	}
	var out []Scenario
	for _, n := range names {
		n = strings.TrimSpace(n)
		found := false
		for _, s := range all {
			if s.Name == n {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q", n)
		}
	}
	return out, nil
}

func clientCredentials(_ context.Context, e *Env) (NewWorker, error) {
	return func(_ context.Context, w int) ([]Step, error) {
		c := e.on(w)
		form := url.Values{"grant_type": {"client_credentials"}}
		return []Step{{Name: "token", Do: func(ctx context.Context) error {
			return c.Form(ctx, "/oidc/token", e.Opts.ClientID, e.Opts.ClientSecret, form, nil)
		}}}, nil
	}, nil
}

func jwksScenario(_ context.Context, e *Env) (NewWorker, error) {
	return func(_ context.Context, w int) ([]Step, error) {
		c := e.on(w)
		return []Step{{Name: "jwks", Do: func(ctx context.Context) error {
			return c.JSON(ctx, "GET", "/cis/oidc/jwks", "", nil, nil)
		}}}, nil
	}, nil
}

// otpLoginScenario sends and redeems a fresh direct code for the next user of a pool.
func otpLoginScenario(ctx context.Context, e *Env) (NewWorker, error) {
	emails, err := e.createUsers(ctx, "otp", e.Opts.Users, "")
	if err != nil {
		return nil, err
	}
	return otpLogins(e, &pool{ids: emails}, nil), nil
}

// otpOrgLoginScenario is otp-login by members of an organization, each login naming it with
// org_id: what a login to an organization costs beyond a plain one.
func otpOrgLoginScenario(ctx context.Context, e *Env) (NewWorker, error) {
	appID, err := e.findAppID(ctx)
	if err != nil {
		return nil, err
	}
	var org struct {
		Result struct {
			ID string `json:"organization_id"`
		} `json:"result"`
	}
	body := map[string]any{"name": "bench " + e.run, "app_ids": []string{appID}}
	if err := e.Client.JSON(ctx, "POST", "/cis/v1/organizations", e.admin, body, &org); err != nil {
		return nil, fmt.Errorf("create organization: %w", err)
	}
	emails := make([]string, e.Opts.Users)
	for i := range emails {
		emails[i] = fmt.Sprintf("bench-%s-org-%d@example.com", e.run, i)
		path := "/cis/v1/organizations/" + url.PathEscape(org.Result.ID) + "/members"
		if err := e.Client.JSON(ctx, "POST", path, e.Token, map[string]any{"email": emails[i]}, nil); err != nil {
			return nil, fmt.Errorf("create member %s: %w", emails[i], err)
		}
	}
	return otpLogins(e, &pool{ids: emails}, map[string]any{"org_id": org.Result.ID}), nil
}

// otpLogins is the worker of the OTP login scenarios: send a direct code to the pool's next
// user, then redeem it with extra added to the authenticate body.
func otpLogins(e *Env, p *pool, extra map[string]any) NewWorker {
	return func(_ context.Context, w int) ([]Step, error) {
		c := e.on(w)
		var email, code string
		send := func(ctx context.Context) error {
			email = p.take()
			var out struct {
				Code string `json:"code"`
			}
			body := map[string]any{"channel": "direct", "identifier_type": "email", "identifier": email}
			if err := c.JSON(ctx, "POST", "/cis/v1/auth/otp/send", e.Token, body, &out); err != nil {
				return err
			}
			code = out.Code
			return nil
		}
		authenticate := func(ctx context.Context) error {
			body := map[string]any{"identifier_type": "email", "identifier": email, "passcode": code}
			for k, v := range extra {
				body[k] = v
			}
			return c.JSON(ctx, "POST", "/cis/v1/auth/otp/authenticate", e.Token, body, nil)
		}
		return []Step{{Name: "send", Do: send}, {Name: "authenticate", Do: authenticate}}, nil
	}
}

// magicLinkScenario sends a direct magic link to the next user of a pool and redeems it.
func magicLinkScenario(ctx context.Context, e *Env) (NewWorker, error) {
	if err := e.ensureRedirectURI(ctx); err != nil {
		return nil, err
	}
	emails, err := e.createUsers(ctx, "link", e.Opts.Users, "")
	if err != nil {
		return nil, err
	}
	p := &pool{ids: emails}
	return func(_ context.Context, w int) ([]Step, error) {
		c := e.on(w)
		var code string
		send := func(ctx context.Context) error {
			var out struct {
				Link string `json:"link"`
			}
			body := map[string]any{"channel": "direct", "identifier_type": "email", "identifier": p.take(), "redirect_uri": e.Opts.RedirectURI}
			if err := c.JSON(ctx, "POST", "/cis/v1/auth/link/email/send", e.Token, body, &out); err != nil {
				return err
			}
			u, err := url.Parse(out.Link)
			if err != nil {
				return fmt.Errorf("parse link: %w", err)
			}
			code = u.Query().Get("code")
			return nil
		}
		authenticate := func(ctx context.Context) error {
			return c.JSON(ctx, "POST", "/cis/v1/auth/link/email/authenticate", e.Token, map[string]any{"code": code}, nil)
		}
		return []Step{{Name: "send", Do: send}, {Name: "authenticate", Do: authenticate}}, nil
	}, nil
}

// benchPassword passes the default password policy.
const benchPassword = "Lantern-Quartz-7291-bench"

func passwordScenario(ctx context.Context, e *Env) (NewWorker, error) {
	// One user per connection: password logins are not rate limited per identifier, and
	// hashing a password at creation costs as much as a login.
	emails, err := e.createUsers(ctx, "pwd", e.Opts.Load.Connections+1, benchPassword)
	if err != nil {
		return nil, err
	}
	return func(_ context.Context, w int) ([]Step, error) {
		c := e.on(w)
		body := map[string]any{"username": emails[w%len(emails)], "username_type": "email", "password": benchPassword}
		return []Step{{Name: "authenticate", Do: func(ctx context.Context) error {
			return c.JSON(ctx, "POST", "/cis/v1/auth/password/authenticate", e.Token, body, nil)
		}}}, nil
	}, nil
}

// loggedIn returns a worker builder whose workers each start from their own OTP login (made
// through the first node) and send their steps to their own node through c.
func loggedIn(e *Env, prefix string, steps func(c *Client, t *Tokens) []Step) NewWorker {
	return func(ctx context.Context, w int) ([]Step, error) {
		emails, err := e.createUsers(ctx, fmt.Sprintf("%s%d", prefix, w), 1, "")
		if err != nil {
			return nil, err
		}
		t, err := e.otpLogin(ctx, emails[0])
		if err != nil {
			return nil, err
		}
		return steps(e.on(w), &t), nil
	}
}

// refreshScenario rotates each worker's own refresh token: every refresh uses the newest.
func refreshScenario(_ context.Context, e *Env) (NewWorker, error) {
	return loggedIn(e, "refresh", func(c *Client, t *Tokens) []Step {
		return []Step{{Name: "refresh", Do: func(ctx context.Context) error {
			var out Tokens
			body := map[string]any{"refresh_token": t.RefreshToken}
			if err := c.JSON(ctx, "POST", "/cis/v1/auth/token/refresh", e.Token, body, &out); err != nil {
				return err
			}
			t.RefreshToken = out.RefreshToken
			return nil
		}}}
	}), nil
}

func sessionScenario(_ context.Context, e *Env) (NewWorker, error) {
	return loggedIn(e, "session", func(c *Client, t *Tokens) []Step {
		body := map[string]any{"session_id": t.SessionID}
		return []Step{{Name: "authenticate", Do: func(ctx context.Context) error {
			return c.JSON(ctx, "POST", "/cis/v1/auth/session/authenticate", e.Token, body, nil)
		}}}
	}), nil
}

func introspectScenario(_ context.Context, e *Env) (NewWorker, error) {
	return loggedIn(e, "introspect", func(c *Client, t *Tokens) []Step {
		form := url.Values{"token": {t.AccessToken}}
		return []Step{{Name: "introspect", Do: func(ctx context.Context) error {
			var out struct {
				Active bool `json:"active"`
			}
			if err := c.Form(ctx, "/oidc/token/introspection", e.Opts.ClientID, e.Opts.ClientSecret, form, &out); err != nil {
				return err
			}
			if !out.Active {
				return fmt.Errorf("token reported inactive")
			}
			return nil
		}}}
	}), nil
}
