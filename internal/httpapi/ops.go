package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"
)

// openAPI is the OpenAPI 3.1 description of every route; a test keeps it complete.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document served at /openapi.json.
func OpenAPI() []byte { return openAPI }

func (s *Server) operationRoutes() {
	s.handle("GET", "/healthz", Public, func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	})
	s.handle("GET", "/readyz", Public, func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Ready != nil {
			if err := s.cfg.Ready(r.Context()); err != nil {
				return fault.New(fault.Unavailable, "not_ready", "database unreachable").With(err)
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		return nil
	})
	s.handle("GET", "/openapi.json", Public, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(openAPI)
		return err
	})
}
