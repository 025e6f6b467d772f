package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/auth/session"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/passkey"
	"github.com/latchkey/latchkey/internal/portal"
)

// publicHandler serves the admin portal under /admin beside the API, on the public listener:
// administrators reach it where their backends reach the API, and it has its own handler, so
// the API's routes and middleware stay as they are.
func (a *app) publicHandler(api http.Handler, proxies []netip.Prefix) (http.Handler, error) {
	p, err := portal.New(portal.Config{
		Admins: a.admins, Tenancy: a.tenancy, Directory: a.directory, Sessions: session.New(a.auth), Audit: a.audit,
		Texts: a.texts, Logger: a.log, TrustedProxies: proxies, PublicURL: a.cfg.PublicURL,
		Tokens: a.tokens, Passwords: passwords.New(a.auth), TOTP: totp.New(a.auth), Passkeys: passkeys.New(a.auth, passkey.New()),
	})
	if err != nil {
		return nil, fmt.Errorf("admin portal: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(portal.Prefix, p.Handler())
	mux.Handle(portal.Prefix+"/", p.Handler())
	mux.Handle("/", api)
	return mux, nil
}

// adminSetupLink makes a one-time link that sets up an administrator of the tenant.
func (a *app) adminSetupLink(ctx context.Context, tenantID string) (string, error) {
	token, err := a.admins.NewSetupLink(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(a.cfg.PublicURL, "/") + portal.Prefix + "/setup?token=" + url.QueryEscape(token), nil
}

func printAdminLink(w io.Writer, link string) {
	fmt.Fprintf(w, `Set up the first administrator of the admin portal (works once, for 24 hours):
  %s

`, link)
}

func printOperatorLink(w io.Writer, link string) {
	fmt.Fprintf(w, `Sign in to the admin portal as the operator, who creates tenants (works once, for an hour):
  %s

`, link)
}
