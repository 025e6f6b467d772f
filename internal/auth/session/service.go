package session

import (
	"github.com/latchkey/latchkey/internal/auth"
)

// Service is what a backend does with a session it holds: sign the user in again with it
// (silent login, SSO across the tenant's applications), end it, and list or revoke a user's
// sessions. Sessions are made by the login methods through the core (package auth).
type Service struct {
	core  *auth.Service
	store Store
}

// New returns the session flows of core.
func New(core *auth.Service) *Service {
	return &Service{core: core, store: core.Store()}
}
