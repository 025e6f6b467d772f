package otp

import (
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/secret"
)

// Service is sign-in by one-time passcode. Sends and redemptions run through the core's
// pipeline (package auth): limits and lockouts, decoys for names that are nobody's, the
// session and tokens, audit.
type Service struct {
	core  *auth.Service
	store Store
	keys  *secret.Keys
	opts  auth.Options
}

// New returns the passcode flows of core.
func New(core *auth.Service) *Service {
	return &Service{core: core, store: core.Store(), keys: core.Keys(), opts: core.Options()}
}
