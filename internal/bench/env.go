package bench

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
)

// Env is what scenarios share: the client, the credentials and the benchmark's application.
type Env struct {
	// Client is the first node's, which the setup's requests go to; a worker's requests go to
	// its own node's (on).
	Client *Client
	Opts   Options
	// nodes are the servers of the run, and clients their clients, in the same order.
	nodes   []Node
	clients []*Client
	// Token is a client access token of the benchmark's client.
	Token string
	// admin is a management token, for preferences and redirect URIs.
	admin string
	// run makes identifiers unique to this run, so that runs against one server never share
	// users or rate-limit counters.
	run string
}

// pool is a set of identifiers handed out round robin: with more identifiers than workers, no
// two concurrent iterations use the same one.
type pool struct {
	ids  []string
	next atomic.Uint64
}

func (p *pool) take() string { return p.ids[(p.next.Add(1)-1)%uint64(len(p.ids))] }

// createUsers creates n users of the application whose emails start with prefix, with a
// password when pwd is set, and returns their emails.
func (e *Env) createUsers(ctx context.Context, prefix string, n int, pwd string) ([]string, error) {
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("bench-%s-%s-%d@example.com", e.run, prefix, i)
	}
	errs := make(chan error, n)
	sem := make(chan struct{}, max(e.Opts.Load.Connections, 4))
	var wg sync.WaitGroup
	for _, email := range emails {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := map[string]any{"email": email}
			if pwd != "" {
				body["credentials"] = map[string]any{"password": pwd, "force_replace": false}
			}
			if err := e.Client.JSON(ctx, "POST", "/cis/v1/users", e.Token, body, nil); err != nil {
				errs <- fmt.Errorf("create user %s: %w", email, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return emails, nil
}

// raiseSendLimits lifts the application's send limits so that the benchmark measures the
// server, not its throttling. Each identifier of a pool is then good for 1000 sends an hour
// and 100 links a minute.
func (e *Env) raiseSendLimits(ctx context.Context) error {
	body := map[string]any{
		"rate_limits": map[string]any{
			"sendsPerIdentifier": 1000, "sendsPerPhonePrefix": 100000, "sendsPerIp": 100000,
			"failuresPerIdentifier": 1000,
		},
		"email": map[string]any{"linksPerUser": 100},
	}
	path := "/cis/loginPreferences/" + url.PathEscape(e.Opts.AppID) + "/authMethods"
	if err := e.Client.JSON(ctx, "PUT", path, e.admin, body, nil); err != nil {
		return fmt.Errorf("raise send limits: %w", err)
	}
	return nil
}

// ensureRedirectURI adds the magic links' redirect URI to the benchmark's client when missing.
func (e *Env) ensureRedirectURI(ctx context.Context) error {
	path := "/cis/v1/applications/" + url.PathEscape(e.Opts.AppID) + "/clients/" + url.PathEscape(e.Opts.ClientID)
	// A client is answered as itself, not wrapped in result, as Mosaic's client API does.
	var got struct {
		RedirectURIs []string `json:"redirect_uris"`
	}
	if err := e.Client.JSON(ctx, "GET", path, e.admin, nil, &got); err != nil {
		return fmt.Errorf("read client: %w", err)
	}
	if slices.Contains(got.RedirectURIs, e.Opts.RedirectURI) {
		return nil
	}
	uris := append(got.RedirectURIs, e.Opts.RedirectURI)
	if err := e.Client.JSON(ctx, "PUT", path, e.admin, map[string]any{"redirect_uris": uris}, nil); err != nil {
		return fmt.Errorf("add redirect URI: %w", err)
	}
	return nil
}

// findAppID returns the application of the benchmark's client, found through the admin API.
func (e *Env) findAppID(ctx context.Context) (string, error) {
	var apps struct {
		Result []struct {
			ID string `json:"app_id"`
		} `json:"result"`
	}
	if err := e.Client.JSON(ctx, "GET", "/cis/v1/applications", e.admin, nil, &apps); err != nil {
		return "", fmt.Errorf("list applications: %w", err)
	}
	for _, a := range apps.Result {
		path := "/cis/v1/applications/" + url.PathEscape(a.ID) + "/clients/" + url.PathEscape(e.Opts.ClientID)
		if err := e.Client.JSON(ctx, "GET", path, e.admin, nil, nil); err == nil {
			return a.ID, nil
		}
	}
	return "", fmt.Errorf("no application has client %s", e.Opts.ClientID)
}

// otpLogin logs email in with a direct one-time passcode and returns the tokens.
func (e *Env) otpLogin(ctx context.Context, email string) (Tokens, error) {
	var sent struct {
		Code string `json:"code"`
	}
	send := map[string]any{"channel": "direct", "identifier_type": "email", "identifier": email}
	if err := e.Client.JSON(ctx, "POST", "/cis/v1/auth/otp/send", e.Token, send, &sent); err != nil {
		return Tokens{}, fmt.Errorf("send: %w", err)
	}
	var t Tokens
	auth := map[string]any{"identifier_type": "email", "identifier": email, "passcode": sent.Code}
	if err := e.Client.JSON(ctx, "POST", "/cis/v1/auth/otp/authenticate", e.Token, auth, &t); err != nil {
		return Tokens{}, fmt.Errorf("authenticate: %w", err)
	}
	return t, nil
}
