package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// Config is everything the HTTP edge needs. It never reads files or the environment.
type Config struct {
	Auth      *auth.Service
	Tenancy   *tenancy.Service
	Directory *directory.Service
	Tokens    *token.Manager
	// Ready reports whether the server can serve traffic (the database answers).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// PublicURL is the externally visible base URL, also the token issuer.
	PublicURL string
}

// Server routes Latchkey's public API.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
}

// Access says which bearer token a route requires.
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
	handle  handlerFunc
}

// handlerFunc is an HTTP handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New builds the server and registers every route.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.operationRoutes()
	s.oidcRoutes()
	s.otpRoutes()
	s.userRoutes()
	s.adminRoutes()
	s.mux.Handle("/", s.wrap(Route{Access: Public, handle: func(http.ResponseWriter, *http.Request) error { return errNotFound }}))
	return s
}

// Routes returns every registered route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handler returns the server's root handler with logging, request ids and panic recovery.
func (s *Server) Handler() http.Handler { return s.middleware(s.mux) }

func (s *Server) handle(method, pattern string, access Access, h handlerFunc) {
	rt := Route{Method: method, Pattern: pattern, Access: access, handle: h}
	s.routes = append(s.routes, rt)
	s.mux.Handle(method+" "+pattern, s.wrap(rt))
}

// wrap authenticates the caller as the route requires, runs the handler and writes its error.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Access != Public {
			c, err := s.cfg.Auth.Caller(r.Context(), bearerToken(r))
			if err == nil && rt.Access == AdminToken && !c.Admin {
				err = errAdminRequired
			}
			if err != nil {
				writeError(w, r, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
		}
		if err := rt.handle(w, r); err != nil {
			writeError(w, r, err)
		}
	})
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
