package portal

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/fault"
)

// Passkeys run WebAuthn in the browser: portal.js asks a start route for the ceremony's
// options (JSON), runs navigator.credentials through /cis/webauthn.js (the API's own helper,
// served from the same origin, so the policy allows it), puts the encoded result in the form
// and submits the form as usual. The finishing POST answers, like every form, with a 303.

// ceremonyJSON is a start route's answer, in the shape /cis/webauthn.js expects.
type ceremonyJSON struct {
	SessionID string          `json:"webauthn_session_id"`
	Request   json.RawMessage `json:"credential_request_options,omitempty"`
	Create    json.RawMessage `json:"credential_creation_options,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jsonFault answers a start route's failure with the fault's message.
func (p *Portal) jsonFault(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	if fe.Kind == fault.Internal {
		p.cfg.Logger.Error("admin portal error", "err", err, "path", r.URL.Path)
	}
	writeJSON(w, statusOf(err), map[string]any{"error_code": fe.Code, "message": problems(fe)[0]})
}

// startPasskeySignIn opens a sign-in ceremony for the tenant the form names.
func (p *Portal) startPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "The request did not come from this portal."})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), r.PostFormValue("tenant"))
	if err == nil {
		var c admins.PasskeyCeremony
		if c, err = p.cfg.Admins.StartPasskeySignIn(r.Context(), t.ID, p.attrs(r)); err == nil {
			writeJSON(w, http.StatusOK, ceremonyJSON{SessionID: c.SessionID, Request: c.Options})
			return
		}
	}
	p.jsonFault(w, r, err)
}

// passkeySignIn finishes the sign-in with the browser's encoded result.
func (p *Portal) passkeySignIn(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	if !p.sameOrigin(r) {
		p.renderSignIn(w, r, http.StatusForbidden, f, []string{"The form did not come from this portal."})
		return
	}
	result := r.PostFormValue("result")
	if result == "" {
		p.renderSignIn(w, r, http.StatusBadRequest, f, []string{"Signing in with a passkey needs JavaScript, which did not run. Use another way below, or turn JavaScript on."})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), f.Tenant)
	if errors.Is(err, admins.ErrNoTenant) {
		err = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "passkey authentication failed")
	}
	var sid string
	if err == nil {
		_, sid, err = p.cfg.Admins.PasskeySignIn(r.Context(), t.ID, result, p.attrs(r))
	}
	if err != nil {
		p.renderSignIn(w, r, statusOf(err), f, problems(fault.As(err)))
		return
	}
	p.signedInTo(w, r, t.ID, sid, f.Next)
}

// startPasskey opens a registration ceremony for the signed-in administrator.
func (p *Portal) startPasskey(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	c, err := p.cfg.Admins.StartPasskey(r.Context(), s.Admin)
	if err != nil {
		p.jsonFault(w, r, err)
		return nil
	}
	writeJSON(w, http.StatusOK, ceremonyJSON{SessionID: c.SessionID, Create: c.Options})
	return nil
}

// addPasskey stores the passkey the browser created.
func (p *Portal) addPasskey(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	result := r.PostFormValue("result")
	if result == "" {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, "", []string{"Adding a passkey needs JavaScript, which did not run."})
	}
	err := p.cfg.Admins.FinishPasskey(r.Context(), s.Admin, result, p.attrs(r))
	if fe := fault.As(err); err != nil && fe.Kind != fault.Internal {
		return p.renderAccount(w, r, s, statusOf(err), "", nil, "", problems(fe))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/account?done=passkey-added", http.StatusSeeOther)
	return nil
}
