package grant

import (
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/secret"
)

// Service is the token endpoint's grants beyond a login (client credentials, refresh) and
// what a resource server asks of tokens (introspection) or a client asks to end (revocation).
type Service struct {
	core    *auth.Service
	store   Store
	keys    *secret.Keys
	opts    auth.Options
	signer  auth.Signer
	clients auth.ClientAuthenticator
}

// New returns the token flows of core.
func New(core *auth.Service) *Service {
	return &Service{core: core, store: core.Store(), keys: core.Keys(), opts: core.Options(),
		signer: core.Signer(), clients: core.Clients()}
}
