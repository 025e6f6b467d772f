package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/latchkey/latchkey/internal/auth/passkeys"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

// webauthnAPI serves the passkey endpoints. The flows are package passkeys'; the WebAuthn
// protocol work is package passkey's, which the domain cannot import, so the two meet here.
type webauthnAPI struct {
	s  *Server
	pk *passkeys.Service
}

func (s *Server) webauthnRoutes() {
	api := &webauthnAPI{s: s, pk: s.cfg.Passkeys}
	// Called by browsers with the public client id; a relaying backend may add its token.
	s.handle("POST", "/cis/v1/auth/webauthn/authenticate/start", Public, api.startLogin)
	s.handle("OPTIONS", "/cis/v1/auth/webauthn/authenticate/start", Public, api.preflight)
	s.handle("POST", "/cis/v1/auth/webauthn/authenticate", ClientToken, api.authenticate)
	s.handle("POST", "/cis/v1/auth/webauthn/external/register/start", ClientToken, api.startExternalRegistration)
	s.handle("POST", "/cis/v1/auth/webauthn/external/register", ClientToken, api.finishExternalRegistration)
	// Authorised by the user's own access token, which the handlers check themselves.
	s.handle("POST", "/cis/v1/auth/webauthn/register/start", Public, api.startSelfRegistration)
	s.handle("POST", "/cis/v1/auth/webauthn/register", Public, api.finishSelfRegistration)
	// GET /cis/v1/users/{user_id}/webauthn would clash with GET /cis/v1/users/email/{email}
	// and its siblings in http.ServeMux, so it joins the users API's GET collections.
	s.handleUserCollections(Route{Method: "GET", Pattern: "/cis/v1/users/{user_id}/webauthn", Access: ClientToken, handle: api.list})
	s.handle("PUT", "/cis/v1/users/{user_id}/webauthn/{credential_id}", ClientToken, api.rename)
	s.handle("DELETE", "/cis/v1/users/{user_id}/webauthn/{credential_id}", ClientToken, api.delete)
	api.webauthnCredentialRoutes()
	api.crossDeviceRoutes()
	s.handleCached("GET", "/cis/webauthn.js", staticCache, serveStatic("webauthn.js", "text/javascript; charset=utf-8"))
	s.handleCached("GET", "/cis/webauthn-example.html", staticCache, serveStatic("webauthn-example.html", "text/html; charset=utf-8"))
}

type webauthnStartLoginJSON struct {
	ClientID         string                 `json:"client_id"`
	Username         string                 `json:"username"`
	IdentifierType   string                 `json:"identifier_type"`
	Identifier       string                 `json:"identifier"`
	Timeout          int                    `json:"timeout"`
	ApprovalData     json.RawMessage        `json:"approval_data"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
}

type webauthnRequestJSON struct {
	SessionID string          `json:"webauthn_session_id"`
	Options   json.RawMessage `json:"credential_request_options"`
}

type webauthnCreationJSON struct {
	SessionID string          `json:"webauthn_session_id"`
	Options   json.RawMessage `json:"credential_creation_options"`
}

func (a *webauthnAPI) startLogin(w http.ResponseWriter, r *http.Request) error {
	var in webauthnStartLoginJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := passkeys.PasskeyLoginStart{
		ClientID: in.ClientID, Username: in.Username, IdentifierType: in.IdentifierType, Identifier: in.Identifier,
		Timeout: in.Timeout, ApprovalData: in.ApprovalData, IPAddress: clientIP(r), ClientAttributes: in.ClientAttributes,
	}
	if bearer := bearerToken(r); bearer != "" {
		c, err := a.s.cfg.Auth.Caller(r.Context(), bearer)
		if err != nil {
			return err
		}
		req.Backend = &c
	}
	out, err := a.pk.StartLogin(r.Context(), req)
	if err != nil {
		return err
	}
	if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(out.Origins, origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	w.Header().Add("Vary", "Origin")
	writeJSON(w, http.StatusOK, webauthnRequestJSON{SessionID: out.SessionID, Options: out.Options})
	return nil
}

// preflight answers CORS preflights of the public start, so that a page can call it
// directly. Which origins may read the answer is decided by the answer itself, from the
// application's rpWebOrigins.
func (a *webauthnAPI) preflight(w http.ResponseWriter, r *http.Request) error {
	if origin := r.Header.Get("Origin"); origin != "" {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.Header().Add("Vary", "Origin")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type webauthnAuthenticateJSON struct {
	EncodedResult string `json:"webauthn_encoded_result"`
	SessionID     string `json:"webauthn_session_id"`
	loginJSON
}

func (a *webauthnAPI) authenticate(w http.ResponseWriter, r *http.Request) error {
	var in webauthnAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := a.pk.Authenticate(r.Context(), callerOf(r), passkeys.PasskeyAuthenticate{
		EncodedResult: in.EncodedResult, SessionID: in.SessionID, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

type webauthnRegisterStartJSON struct {
	UserID         string `json:"user_id"`
	ExternalUserID string `json:"external_user_id"`
	Username       string `json:"username"`
	DisplayName    string `json:"display_name"`
	Timeout        int    `json:"timeout"`
}

func (in webauthnRegisterStartJSON) start() passkeys.PasskeyRegistrationStart {
	return passkeys.PasskeyRegistrationStart{
		UserID: in.UserID, ExternalUserID: in.ExternalUserID, Username: in.Username,
		DisplayName: in.DisplayName, Timeout: in.Timeout,
	}
}

type webauthnRegisterJSON struct {
	EncodedResult    string                 `json:"webauthn_encoded_result"`
	SessionID        string                 `json:"webauthn_session_id"`
	ExternalUserID   string                 `json:"external_user_id"`
	UserEmail        string                 `json:"user_email"`
	Name             string                 `json:"name"`
	DeviceID         string                 `json:"device_id"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
}

func (in webauthnRegisterJSON) registration() passkeys.PasskeyRegistration {
	return passkeys.PasskeyRegistration{
		EncodedResult: in.EncodedResult, SessionID: in.SessionID, ExternalUserID: in.ExternalUserID,
		UserEmail: in.UserEmail, Name: in.Name, ClientAttributes: in.ClientAttributes,
	}
}

type webauthnRegisteredJSON struct {
	SessionID    string `json:"webauthn_session_id"`
	UserID       string `json:"user_id"`
	Username     string `json:"webauthn_username"`
	CredentialID string `json:"credential_id"`
	NewUser      bool   `json:"new_user"`
}

func writeRegistered(w http.ResponseWriter, out passkeys.PasskeyRegistered) {
	writeJSON(w, http.StatusOK, webauthnRegisteredJSON{
		SessionID: out.SessionID, UserID: out.UserID, Username: out.UserName,
		CredentialID: out.CredentialID, NewUser: out.NewUser,
	})
}

func (a *webauthnAPI) startExternalRegistration(w http.ResponseWriter, r *http.Request) error {
	var in webauthnRegisterStartJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := a.pk.StartExternalRegistration(r.Context(), callerOf(r), in.start())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webauthnCreationJSON{SessionID: out.SessionID, Options: out.Options})
	return nil
}

func (a *webauthnAPI) finishExternalRegistration(w http.ResponseWriter, r *http.Request) error {
	var in webauthnRegisterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := a.pk.FinishExternalRegistration(r.Context(), callerOf(r), in.registration())
	if err != nil {
		return err
	}
	writeRegistered(w, out)
	return nil
}

// userCaller authenticates the end user of a self-service call by their access token.
func (a *webauthnAPI) userCaller(w http.ResponseWriter, r *http.Request) (auth.UserCaller, error) {
	return a.s.userCaller(w, r)
}

// userCaller authenticates the end user of a self-service call (a route registered Public
// whose handler asks for a UserAccessToken) by their access token.
func (s *Server) userCaller(w http.ResponseWriter, r *http.Request) (auth.UserCaller, error) {
	u, err := s.cfg.Auth.AuthenticateUser(r.Context(), bearerToken(r))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="latchkey", error="invalid_token"`)
	}
	return u, err
}

func (a *webauthnAPI) startSelfRegistration(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userCaller(w, r)
	if err != nil {
		return err
	}
	var in webauthnRegisterStartJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.UserID, in.ExternalUserID = "", ""
	out, err := a.pk.StartSelfRegistration(r.Context(), u, in.start())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webauthnCreationJSON{SessionID: out.SessionID, Options: out.Options})
	return nil
}

func (a *webauthnAPI) finishSelfRegistration(w http.ResponseWriter, r *http.Request) error {
	u, err := a.userCaller(w, r)
	if err != nil {
		return err
	}
	var in webauthnRegisterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := in.registration()
	req.ExternalUserID, req.UserEmail = "", ""
	out, err := a.pk.FinishSelfRegistration(r.Context(), u, req)
	if err != nil {
		return err
	}
	writeRegistered(w, out)
	return nil
}
