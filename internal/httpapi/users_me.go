package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
)

// ownUser authenticates the user access token of a me/ route, which the route wrapper does
// not: these routes take an end user's token, not a client's.
func (s *Server) ownUser(w http.ResponseWriter, r *http.Request) (auth.UserCaller, error) {
	u, err := s.cfg.Auth.AuthenticateUser(r.Context(), bearerToken(r))
	if err != nil && fault.Is(err, fault.Unauthenticated) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey", error="invalid_token"`)
	}
	return u, err
}

// meAddPasswordJSON is Mosaic's ApiMeAddPassword.
type meAddPasswordJSON struct {
	Password string `json:"password"`
	Username string `json:"username"`
}

// addOwnPassword lets a signed-in user register their first password (Mosaic's
// addPasswordCredentialsToCurrentUser).
func (s *Server) addOwnPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := s.ownUser(w, r)
	if err != nil {
		return err
	}
	var in meAddPasswordJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Passwords.RegisterOwnPassword(r.Context(), u, in.Password, in.Username); err != nil {
		return err
	}
	writePasswordMessage(w, http.StatusOK, "Password registered")
	return nil
}

// errNoDeviceKey answers every request for a user's device keys. Device keys are the key
// pairs Mosaic's mobile SDKs bind to a device; Latchkey has no SDK that makes them, so no user
// has one, and Mosaic answers a user without one 404.
var errNoDeviceKey = fault.New(fault.NotFound, fault.CodeNotFound, "no device key is registered for this user")

// getOwnDeviceKeys answers Mosaic's getDeviceKeysForTenant for the signed-in user.
func (s *Server) getOwnDeviceKeys(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.ownUser(w, r); err != nil {
		return err
	}
	return errNoDeviceKey
}
