package httpapi

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/grant"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func (s *Server) oidcRoutes() {
	s.handleOAuth("POST", "/oidc/token", s.token)
	s.handleCached("GET", "/cis/oidc/jwks", "public, max-age=60", s.jwks)
	s.handleCached("GET", "/.well-known/openid-configuration", "public, max-age=300", s.discovery)
	s.handleCached("GET", "/cis/oidc/.well-known/openid-configuration", "public, max-age=300", s.discovery)
}

// handleOAuth registers a route whose errors take RFC 6749's shape instead of Mosaic's. Its
// answers are never stored (RFC 6749 section 5.1 requires it of token responses).
func (s *Server) handleOAuth(method, pattern string, h handlerFunc) {
	rt := Route{Method: method, Pattern: pattern, Access: Public, handle: h}
	s.routes = append(s.routes, rt)
	params := pathParams(pattern)
	s.mux.Handle(method+" "+pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, pattern)
		setCachePolicy(w, rt.Cache)
		err := checkRequestParams(r, params)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			writeOAuthError(w, r, err)
		}
	}))
}

func oauthErr(code, msg string) *fault.Error {
	return fault.New(fault.Invalid, code, "%s", msg)
}

// token is the OAuth 2.0 token endpoint (RFC 6749 section 3.2).
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
		id, sec, err := clientCredentials(r, form)
		if err != nil {
			return err
		}
		if len(form["resource"]) > 1 {
			return oauthErr("invalid_target", "only one resource may be requested")
		}
		out, err := s.cfg.Grants.ClientCredentials(r.Context(), grant.ClientTokenRequest{
			ClientID: id, ClientSecret: sec, Resource: form.Get("resource"), Scope: form.Get("scope"),
		})
		if err != nil {
			return err
		}
		writeOAuthTokens(w, out)
		return nil
	case "refresh_token":
		c, err := s.oauthCaller(r, form)
		if err != nil {
			return err
		}
		out, err := s.cfg.Grants.Refresh(r.Context(), c, grant.RefreshRequest{RefreshToken: form.Get("refresh_token"), Scope: form.Get("scope")})
		if err != nil {
			return err
		}
		writeOAuthTokens(w, out)
		return nil
	case "":
		return oauthErr("invalid_request", "grant_type is required")
	default:
		return oauthErr("unsupported_grant_type", "grant_type "+gt+" is not supported")
	}
}

// writeOAuthTokens writes a token endpoint answer (RFC 6749 section 5.1): Mosaic's fields and
// the granted scope.
func writeOAuthTokens(w http.ResponseWriter, t auth.TokenResponse) {
	writeJSON(w, http.StatusOK, t)
}

// readForm parses an application/x-www-form-urlencoded body of at most maxBody bytes; it is the
// only way a handler reads a form. Names and values must be text (see input.go).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, oauthErr("invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	data, err := readBody(w, r)
	if err != nil {
		if fault.Is(err, fault.TooLarge) {
			return nil, fault.New(fault.TooLarge, "invalid_request", "request body is too large")
		}
		return nil, err
	}
	form, err := url.ParseQuery(string(data))
	if err != nil {
		return nil, oauthErr("invalid_request", "malformed form body")
	}
	if err := checkValues(form, "form parameter"); err != nil {
		return nil, oauthErr("invalid_request", err.(*fault.Error).Message)
	}
	for _, k := range sortedKeys(form) {
		if len(form[k]) > 1 && k != "resource" {
			return nil, oauthErr("invalid_request", "parameter "+k+" is repeated")
		}
	}
	return form, nil
}

// clientCredentials reads client_secret_basic or client_secret_post credentials; using both at
// once is an error (RFC 6749 section 2.3).
func clientCredentials(r *http.Request, form url.Values) (string, string, error) {
	id, sec, basic := r.BasicAuth()
	postID, postSec := form.Get("client_id"), form.Get("client_secret")
	if basic {
		if postSec != "" {
			return "", "", oauthErr("invalid_request", "use one client authentication method, not two")
		}
		// RFC 6749 section 2.3.1: both parts are form-encoded before base64.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		sec, err2 = url.QueryUnescape(sec)
		if err1 != nil || err2 != nil {
			return "", "", fault.New(fault.Unauthenticated, "invalid_client", "malformed client credentials")
		}
		// The header itself was checked as text; what its base64 and escapes hide is checked here.
		if badText(id) {
			return "", "", oauthErr("invalid_request", textFault("client_id").Message)
		}
		if badText(sec) {
			return "", "", oauthErr("invalid_request", textFault("client_secret").Message)
		}
		if postID != "" && postID != id {
			return "", "", oauthErr("invalid_request", "client_id does not match the authenticated client")
		}
		return id, sec, nil
	}
	if postID == "" || postSec == "" {
		return "", "", fault.New(fault.Unauthenticated, "invalid_client", "client authentication is required")
	}
	return postID, postSec, nil
}

// jwksMaxAge is how long relying parties may keep the JWKS without asking again. It is short
// because keys rotate; a client that meets an unknown kid fetches the set at once anyway, and
// asking again is cheap with the ETag.
const jwksMaxAge = "public, max-age=60"

// jwks serves the key set as the token manager serialised it, with its strong ETag: every
// request shares one byte slice, whatever the number of tenants, and a client holding the
// current ETag gets 304 Not Modified.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	doc, etag, err := s.cfg.Tokens.JWKSDocument(r.Context())
	if err != nil {
		return fault.Wrap(err, "jwks")
	}
	h := w.Header()
	h.Set("Cache-Control", jwksMaxAge)
	h.Set("ETag", etag)
	h.Set("Content-Type", "application/json")
	// ServeContent answers If-None-Match (RFC 9110 section 13.1.2) and HEAD; ranges of a
	// small JSON document serve no one, so the whole document is always sent.
	r.Header.Del("Range")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(doc))
	return nil
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.cfg.Tokens.Discovery(s.cfg.PublicURL))
	return nil
}

// oauthCaller authenticates the client of an OAuth endpoint by its credentials.
func (s *Server) oauthCaller(r *http.Request, form url.Values) (model.Caller, error) {
	id, sec, err := clientCredentials(r, form)
	if err != nil {
		return model.Caller{}, err
	}
	return s.cfg.Auth.CallerForClient(r.Context(), id, sec)
}

// introspect is RFC 7662 token introspection, for clients of the token's tenant.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	id, sec, err := clientCredentials(r, form)
	if err != nil {
		return err
	}
	out, err := s.cfg.Grants.IntrospectAs(r.Context(), id, sec, form.Get("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// revoke is RFC 7009 token revocation.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	c, err := s.oauthCaller(r, form)
	if err != nil {
		return err
	}
	if err := s.cfg.Grants.Revoke(r.Context(), c, form.Get("token")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
