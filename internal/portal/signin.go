package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/fault"
)

// signInForm is what the sign-in pages show and send back.
type signInForm struct {
	Tenant string
	Email  string
	Next   string
	// Token is the set-up link's token, on the set-up page.
	Token string
}

func (p *Portal) signInPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := signInForm{Tenant: q.Get("tenant"), Next: localNext(q.Get("next"))}
	if f.Tenant == "" {
		f.Tenant = p.cfg.DefaultTenant
	}
	p.renderSignIn(w, r, http.StatusOK, f, nil)
}

// formOf reads the sign-in fields of a posted form.
func formOf(r *http.Request) signInForm {
	return signInForm{Tenant: strings.TrimSpace(r.PostFormValue("tenant")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Next: localNext(r.PostFormValue("next")), Token: r.PostFormValue("token")}
}

// sendCode emails a passcode and shows the form to enter it. It answers alike whether or not
// the address belongs to an administrator.
func (p *Portal) sendCode(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	if !p.sameOrigin(r) {
		p.renderSignIn(w, r, http.StatusForbidden, f, []string{"The form did not come from this portal."})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), f.Tenant)
	if err == nil {
		err = p.cfg.Admins.SendCode(r.Context(), t.ID, f.Email, p.attrs(r))
	} else if errors.Is(err, admins.ErrNoTenant) {
		// Answered as for a tenant that exists, so that the page does not list tenants' names.
		err = nil
	}
	if err != nil {
		p.renderSignIn(w, r, statusOf(err), f, problems(fault.As(err)))
		return
	}
	p.toCodeForm(w, r, f)
}

// toCodeForm answers a form that sent a code with a 303 to the page that takes it, so that
// reloading that page sends no second code. The sign-in in progress rides in a sealed cookie.
func (p *Portal) toCodeForm(w http.ResponseWriter, r *http.Request, f signInForm) {
	f.Token = ""
	v, err := p.cfg.Admins.Seal("pending-signin", f, pendingTTL)
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	p.setShortCookie(w, pendingCookie, v, pendingTTL)
	http.Redirect(w, r, Prefix+"/signin/code", http.StatusSeeOther)
}

// codePage shows the form that takes the code, for the sign-in the cookie carries.
func (p *Portal) codePage(w http.ResponseWriter, r *http.Request) {
	var f signInForm
	c, err := r.Cookie(pendingCookie)
	if err != nil || !p.cfg.Admins.Open("pending-signin", c.Value, &f) {
		http.Redirect(w, r, Prefix+"/signin", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "code", view{Title: "Enter your code", Data: f})
}

// redeemCode signs the administrator in with the passcode and sets the session cookie.
func (p *Portal) redeemCode(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	if !p.sameOrigin(r) {
		p.render(w, r, http.StatusForbidden, "code", view{Title: "Enter your code", Data: f, Problems: []string{"The form did not come from this portal."}})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), f.Tenant)
	if errors.Is(err, admins.ErrNoTenant) {
		p.render(w, r, http.StatusBadRequest, "code", view{Title: "Enter your code", Data: f, Problems: []string{"invalid passcode"}})
		return
	}
	if err != nil {
		p.renderSignIn(w, r, statusOf(err), f, problems(fault.As(err)))
		return
	}
	_, sid, err := p.cfg.Admins.SignIn(r.Context(), t.ID, f.Email, r.PostFormValue("code"), p.attrs(r))
	if err != nil {
		p.render(w, r, statusOf(err), "code", view{Title: "Enter your code", Data: f, Problems: problems(fault.As(err))})
		return
	}
	p.signedInTo(w, r, t.ID, sid, f.Next)
}

func (p *Portal) signOut(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := p.cfg.Admins.SignOut(r.Context(), s.Admin, s.sessionID); err != nil {
		return err
	}
	clearCookie(w)
	http.Redirect(w, r, Prefix+"/signin?done=signed-out&tenant="+s.Tenant.Name, http.StatusSeeOther)
	return nil
}

func (p *Portal) setupPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	link, err := p.cfg.Admins.CheckSetupLink(r.Context(), token)
	if err != nil {
		p.render(w, r, statusOf(err), "error", view{Title: "Set-up link", Problems: problems(fault.As(err))})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), link.TenantID)
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	p.render(w, r, http.StatusOK, "setup", view{Title: "Set up the first administrator", Data: signInForm{Tenant: t.Name, Token: token}})
}

// setup spends the set-up link, makes the address an administrator's and sends the code
// that signs them in: the link alone signs no one in.
func (p *Portal) setup(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	if !p.sameOrigin(r) {
		p.render(w, r, http.StatusForbidden, "setup", view{Title: "Set up the first administrator", Data: f, Problems: []string{"The form did not come from this portal."}})
		return
	}
	u, err := p.cfg.Admins.RedeemSetupLink(r.Context(), f.Token, f.Email, p.attrs(r))
	if err == nil {
		err = p.cfg.Admins.SendCode(r.Context(), u.TenantID, u.Email, p.attrs(r))
	}
	if err != nil {
		p.render(w, r, statusOf(err), "setup", view{Title: "Set up the first administrator", Data: f, Problems: problems(fault.As(err))})
		return
	}
	f.Email = u.Email
	p.toCodeForm(w, r, f)
}

// localNext keeps a return address only when it is a page of the portal, so that the sign-in
// page cannot be made to send anyone elsewhere.
func localNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, Prefix+"/signin") {
		return ""
	}
	return next
}

// statusOf is the HTTP status of a fault.
func statusOf(err error) int {
	switch fault.As(err).Kind {
	case fault.Invalid:
		return http.StatusBadRequest
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.Unauthenticated:
		return http.StatusUnauthorized
	case fault.Conflict:
		return http.StatusConflict
	case fault.Locked, fault.RateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}
