package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Requirement is something a route requires of a verified token; it returns why the token
// falls short, or nil.
type Requirement func(*Claims) error

// Scopes requires every one of scopes to have been granted.
func Scopes(scopes ...string) Requirement {
	return func(c *Claims) error {
		for _, s := range scopes {
			if !c.HasScope(s) {
				return fmt.Errorf("the token lacks scope %q", s)
			}
		}
		return nil
	}
}

// Permissions requires the user's roles to grant every one of perms. Tokens carry the
// permissions claim when the login asked for it: "claims": {"access_token": {"permissions":
// null}}.
func Permissions(perms ...string) Requirement {
	return func(c *Claims) error {
		for _, p := range perms {
			if !c.HasPermission(p) {
				return fmt.Errorf("the user lacks permission %q", p)
			}
		}
		return nil
	}
}

// AnyRole requires the user to have at least one of the roles with the given ids.
func AnyRole(roleIDs ...string) Requirement {
	return func(c *Claims) error {
		for _, r := range roleIDs {
			if c.HasRole(r) {
				return nil
			}
		}
		return errors.New("the user has none of the required roles")
	}
}

type claimsKey struct{}

// ClaimsFrom returns the claims the middleware verified for the request's context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// Require returns middleware that lets a request through to next only with a valid bearer
// token meeting every requirement, with its claims in the request's context.
func (v *Verifier) Require(reqs ...Requirement) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, ok := bearer(r)
			if !ok {
				// RFC 6750 section 3.1: a request without credentials gets no error code.
				refuse(w, http.StatusUnauthorized, "", "a bearer token is required")
				return
			}
			claims, err := v.Verify(r.Context(), raw)
			switch {
			case errors.Is(err, ErrInvalidToken):
				refuse(w, http.StatusUnauthorized, "invalid_token", err.Error())
				return
			case err != nil:
				// The keys could not be fetched: nothing is known about the token.
				refuse(w, http.StatusServiceUnavailable, "", "the token cannot be checked now")
				return
			}
			for _, req := range reqs {
				if err := req(claims); err != nil {
					refuse(w, http.StatusForbidden, "insufficient_scope", err.Error())
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
		})
	}
}

// bearer returns the request's bearer token (RFC 6750 section 2.1).
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// refuse answers as RFC 6750 section 3 says, with the same error in a JSON body.
func refuse(w http.ResponseWriter, status int, code, desc string) {
	if status != http.StatusServiceUnavailable {
		challenge := `Bearer`
		if code != "" {
			challenge += fmt.Sprintf(` error=%q, error_description=%q`, code, strings.ReplaceAll(desc, `"`, `'`))
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	body := map[string]string{"error_description": desc}
	if code != "" {
		body["error"] = code
	}
	_ = json.NewEncoder(w).Encode(body)
}
