package totp

import (
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/secret"
)

// Service is TOTP sign-in: users' authenticators (enrolment, confirmation, listing and
// deletion), logins by TOTP code or recovery code, and recovery codes themselves. Logins run
// through the core's pipeline (lockouts, failure counts, the session and tokens, audit).
type Service struct {
	core   *auth.Service
	store  Store
	keys   *secret.Keys
	decoys credentialDecoys
}

// New returns the TOTP flows of core.
func New(core *auth.Service) *Service {
	return &Service{core: core, store: core.Store(), keys: core.Keys()}
}
