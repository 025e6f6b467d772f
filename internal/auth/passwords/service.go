package passwords

import (
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/secret"
)

// Service is sign-in by password and the life of a password: registration and setting by a
// backend, change by the user, and reset by code or link. Logins and resets run through the
// core's pipeline (package auth).
type Service struct {
	core  *auth.Service
	store Store
	keys  *secret.Keys
	opts  auth.Options
}

// New returns the password flows of core.
func New(core *auth.Service) *Service {
	return &Service{core: core, store: core.Store(), keys: core.Keys(), opts: core.Options()}
}
