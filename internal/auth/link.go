package auth

import (
	"net/url"

	"github.com/latchkey/latchkey/internal/fault"
)

// CodeInvalidRedirectURI reports a redirect_uri that is not one of the client's.
const CodeInvalidRedirectURI = "invalid_redirect_uri"

// ErrInvalidRedirect refuses a redirect URI that is not one of the client's.
var ErrInvalidRedirect = fault.New(fault.Invalid, CodeInvalidRedirectURI, "redirect_uri is not one of the client's redirect URIs")

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
