package portal

import (
	"errors"
	"net/http"
	"slices"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// mfaCookie carries a sign-in by password and TOTP between its two steps: the session the
// password began (sealed, so the browser cannot read or forge it) with the tenant, address
// and return address.
const mfaCookie = "__Host-latchkey_mfa"

// pendingMFA is what mfaCookie holds.
type pendingMFA struct {
	signInForm
	SessionID string `json:"sid"`
}

// signInPageData is what the sign-in page shows: the form and the methods the tenant offers.
type signInPageData struct {
	signInForm
	Methods []string
}

// Offers reports whether the page offers a method.
func (d signInPageData) Offers(m string) bool { return slices.Contains(d.Methods, m) }

// methodsFor returns the methods the sign-in page offers for a tenant name: an unknown tenant's
// page offers the defaults.
func (p *Portal) methodsFor(r *http.Request, tenant string) []string {
	if t, err := p.cfg.Admins.Tenant(r.Context(), tenant); err == nil {
		if list, err := p.cfg.Admins.SignInMethods(r.Context(), t.ID); err == nil {
			return list
		}
	}
	return admins.DefaultMethods
}

func (p *Portal) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm, probs []string) {
	p.render(w, r, status, "signin", view{Title: "Sign in", Data: signInPageData{signInForm: f, Methods: p.methodsFor(r, f.Tenant)}, Problems: probs})
}

// passwordStep checks the password and sends the browser to the TOTP form. An unknown tenant
// is answered as a wrong password.
func (p *Portal) passwordStep(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	if !p.sameOrigin(r) {
		p.renderSignIn(w, r, http.StatusForbidden, f, []string{"The form did not come from this portal."})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), f.Tenant)
	var sid string
	if errors.Is(err, admins.ErrNoTenant) {
		err = fault.New(fault.Invalid, fault.CodeInvalidCredentials, "invalid credentials")
	}
	if err == nil {
		sid, err = p.cfg.Admins.PasswordStep(r.Context(), t.ID, f.Email, r.PostFormValue("password"), p.attrs(r))
	}
	if err != nil {
		p.renderSignIn(w, r, statusOf(err), f, problems(fault.As(err)))
		return
	}
	v, err := p.cfg.Admins.Seal("pending-mfa", pendingMFA{signInForm: f, SessionID: sid}, pendingTTL)
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	p.setShortCookie(w, mfaCookie, v, pendingTTL)
	http.Redirect(w, r, Prefix+"/signin/totp", http.StatusSeeOther)
}

func (p *Portal) pendingMFA(r *http.Request) (pendingMFA, bool) {
	var m pendingMFA
	c, err := r.Cookie(mfaCookie)
	return m, err == nil && p.cfg.Admins.Open("pending-mfa", c.Value, &m)
}

func (p *Portal) totpPage(w http.ResponseWriter, r *http.Request) {
	m, ok := p.pendingMFA(r)
	if !ok {
		http.Redirect(w, r, Prefix+"/signin", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "totp", view{Title: "Enter your authenticator code", Data: m.signInForm})
}

// totpStep finishes the sign-in with the authenticator's code.
func (p *Portal) totpStep(w http.ResponseWriter, r *http.Request) {
	m, ok := p.pendingMFA(r)
	if !ok {
		p.renderSignIn(w, r, http.StatusBadRequest, signInForm{Tenant: p.cfg.DefaultTenant}, []string{"This sign-in has expired. Sign in again."})
		return
	}
	if !p.sameOrigin(r) {
		p.render(w, r, http.StatusForbidden, "totp", view{Title: "Enter your authenticator code", Data: m.signInForm, Problems: []string{"The form did not come from this portal."}})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), m.Tenant)
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	_, sid, err := p.cfg.Admins.TOTPStep(r.Context(), t.ID, m.Email, m.SessionID, r.PostFormValue("code"), p.attrs(r))
	if err != nil {
		p.render(w, r, statusOf(err), "totp", view{Title: "Enter your authenticator code", Data: m.signInForm, Problems: problems(fault.As(err))})
		return
	}
	p.signedInTo(w, r, t.ID, sid, m.Next)
}

// signedInTo sets the session cookie, clears every sign-in in progress, and sends the browser on.
func (p *Portal) signedInTo(w http.ResponseWriter, r *http.Request, tenantID, sid, next string) {
	p.setCookie(w, tenantID, sid)
	clearNamedCookie(w, pendingCookie)
	clearNamedCookie(w, mfaCookie)
	if next = localNext(next); next == "" {
		next = Landing
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signInMethodNames are the sign-in methods as pages name them.
var signInMethodNames = map[string]string{
	model.AdminSignInPasskey:         "Passkey",
	model.AdminSignInPasswordAndTOTP: "Password and authenticator app (TOTP)",
	model.AdminSignInEmailCode:       "Code sent by email",
}
