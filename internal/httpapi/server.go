package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/latchkey/latchkey/internal/auth/grant"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/session"

	"github.com/latchkey/latchkey/internal/auth/passwords"

	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth/totp"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/clientroles"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/groups"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/orgs"
	"github.com/latchkey/latchkey/internal/roles"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// Config is everything the HTTP edge needs. It never reads files or the environment.
type Config struct {
	// Auth is the core of authentication: callers, sessions and tokens. The login methods
	// below run through it; each left nil is built on Auth, which is how the binary and most
	// tests get them all, on one core.
	Auth      *auth.Service
	TOTP      *totp.Service
	OTP       *otp.Service
	Links     *magiclink.Service
	Passwords *passwords.Service
	Sessions  *session.Service
	Grants    *grant.Service
	Passkeys  *passkeys.Service
	Tenancy   *tenancy.Service
	Directory *directory.Service
	// Groups serves the Groups API; left nil, it is built on Auth's store.
	Groups *groups.Service
	// Orgs serves the Organizations and Members APIs; left nil, it is built on Auth's store.
	Orgs   *orgs.Service
	Tokens *token.Manager
	Audit  *audit.Log
	// Ready reports whether the server can serve traffic (the database answers).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// PublicURL is the externally visible base URL, also the token issuer.
	PublicURL string
	// TrustedProxies are the networks of the load balancers and reverse proxies in front of
	// the server, whose forwarding headers name the client (see resolveClientIP). Empty: the
	// socket's peer is the client and forwarding headers are ignored.
	TrustedProxies []netip.Prefix
	// Tracer starts each request's span (nil: tracing off); Requests is told of each request
	// served (nil: nothing counts them).
	Tracer   observe.Tracer
	Requests RequestRecorder
}

// Server routes Latchkey's public API.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
	// collections serves GET /cis/v1/users/{user_id}/<name> routes (see handleUserCollections).
	collections map[string]http.Handler
	roles       *roles.Service
	// dispatch serves the overlapping routes under /cis/v1/applications, by mux pattern (see
	// handleDispatched).
	dispatch map[string]*dispatcher
	// bodies are the fields /openapi.json lets each operation's JSON body have.
	bodies requestFields
}

// Access says whether a route takes a bearer token, and whose: Public none, AdminToken only a
// management application's. Which client tokens a ClientToken route accepts is its permission
// in the permission table (permissions.go), which TestRoutePermissions keeps in step.
type Access int

// Route access levels.
const (
	Public      Access = iota // no bearer token
	ClientToken               // any client's access token (an admin token is also a client token)
	AdminToken                // a management application's token
)

// Route is one registered endpoint. The list is kept so that tests can check that the OpenAPI
// document describes every route.
type Route struct {
	Method  string
	Pattern string // path with {name} wildcards, as http.ServeMux reads it
	Access  Access
	// Cache is the Cache-Control of the route's answers. It is empty for every route but the
	// few that serve public documents, and empty means NoStore: see cachePolicy.
	Cache string
	// Family is the Mosaic API the route belongs to, which picks the shape of its error
	// bodies; the zero value is FamilyAuth.
	Family Family
	handle handlerFunc
}

// handlerFunc is an HTTP handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New builds the server and registers every route.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.buildMethods()
	bodies, err := loadRequestFields()
	if err != nil {
		panic(err) // the document is embedded: a schema that does not compile is a build defect
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), bodies: bodies}
	s.operationRoutes()
	s.oidcRoutes()
	s.otpRoutes()
	s.passwordRoutes()
	s.magicLinkRoutes()
	s.totpRoutes()
	s.sessionRoutes()
	s.webauthnRoutes()
	s.userRoutes()
	s.adminRoutes()
	s.auditRoutes()
	s.tenantRoutes()
	s.roleRoutes()
	s.roleGroupRoutes()
	s.clientRoleRoutes()
	s.orgRoleRoutes()
	s.orgLogoRoutes()
	s.groupRoutes()
	s.orgRoutes()
	s.mux.Handle("/", s.wrap(Route{Access: Public, handle: s.unrouted}))
	return s
}

// Routes returns every registered route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handler returns the server's root handler with logging, request ids and panic recovery.
func (s *Server) Handler() http.Handler { return s.middleware(s.mux) }

func (s *Server) handle(method, pattern string, access Access, h handlerFunc) {
	s.register(Route{Method: method, Pattern: pattern, Access: access, handle: h})
}

// handleCached registers a public route whose answers caches may keep, under cacheControl.
// Only documents that are the same for every caller and carry no secret qualify (discovery,
// JWKS, static files).
func (s *Server) handleCached(method, pattern, cacheControl string, h handlerFunc) {
	s.register(Route{Method: method, Pattern: pattern, Access: Public, Cache: cacheControl, handle: h})
}

func (s *Server) register(rt Route) {
	s.routes = append(s.routes, rt)
	s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
}

// wrap authenticates the caller as the route requires (its row in the permission table), runs the handler and writes its error.
func (s *Server) wrap(rt Route) http.Handler {
	params := pathParams(rt.Pattern)
	body := s.bodies[rt.Method+" "+rt.Pattern]
	need := permissionOf(rt)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, rt.Pattern)
		r = withRequestFields(r, body)
		r = withFamily(r, rt.Family) // before any error is written, the token's refusal included
		setCachePolicy(w, rt.Cache)  // before anything is written, refusals included
		if err := checkRequestParams(r, params); err != nil {
			writeError(w, r, err)
			return
		}
		if need != clientroles.Public {
			c, err := s.cfg.Auth.Caller(r.Context(), bearerToken(r))
			switch {
			case err != nil:
			case need == clientroles.Admin && !c.Admin:
				err = errAdminRequired
			case !clientroles.Allowed(c, need):
				err = clientroles.Refuse(need)
			}
			if err != nil {
				if fault.Is(err, fault.Unauthenticated) {
					// RFC 6750 section 3: a 401 names the scheme the caller must use.
					w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey", error="invalid_token"`)
				}
				writeError(w, r, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
		}
		rec := &statusRecorder{ResponseWriter: w}
		if err := rt.handle(rec, r); err != nil {
			writeError(rec, r, err)
			return
		}
		if rec.status < 400 {
			s.recordChange(r, rt)
		}
	})
}

// unrouted answers requests no route matched: 405 with Allow when the path exists for other
// methods, else 404, both in the API's error shape.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) error {
	var allowed []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if s.serves(probe) {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return errNotFound
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	return fault.New(fault.MethodNotAllowed, "method_not_allowed", "method %s is not allowed here; use %s", r.Method, strings.Join(allowed, " or "))
}

type callerKey struct{}

// callerOf returns the authenticated caller of a request to a non-public route.
func callerOf(r *http.Request) model.Caller {
	c, _ := r.Context().Value(callerKey{}).(model.Caller)
	return c
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) > len(prefix) && equalFold(h[:len(prefix)], prefix) {
		return h[len(prefix):]
	}
	return ""
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
