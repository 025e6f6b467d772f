package auth

import (
	"net/url"
	"slices"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// CodeInvalidRedirectURI reports a redirect_uri that is not one of the client's.
const CodeInvalidRedirectURI = "invalid_redirect_uri"

// ErrInvalidRedirect refuses a redirect URI registered neither on the client nor on its
// application.
var ErrInvalidRedirect = fault.New(fault.Invalid, CodeInvalidRedirectURI,
	"redirect_uri is not one of the redirect URIs of the client or of its application")

// CheckRedirect accepts a redirect URI registered on the calling client or on its
// application: Mosaic's guides have integrators add redirect URIs to the application, whose
// list is its default client's, and a client may have its own. The match is exact: a prefix
// or pattern match would let a caller aim links elsewhere. client and app must be the
// caller's, which the caller checks.
func CheckRedirect(client model.Client, app model.Application, uri string) error {
	if uri == "" || client.AppID != app.ID || client.TenantID != app.TenantID ||
		!(slices.Contains(client.RedirectURIs, uri) || slices.Contains(app.RedirectURIs, uri)) {
		return ErrInvalidRedirect
	}
	return nil
}

// BuildLink adds the code and state to the redirect URI, keeping its own query parameters.
func BuildLink(redirectURI, code, state string) (string, error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("code", code)
	q.Del("state")
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
