package portal

import (
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// operatorCookie holds the operator's session id, sealed: the operator pages are apart from a
// tenant's, and a tenant's administrators never reach them.
const operatorCookie = "__Host-latchkey_operator"

// operatorPage is the data of the tenants page.
type operatorPage struct {
	Tenants []model.Tenant
	CSRF    string
	Name    string
	// Created and SetupLink are the tenant just created and its first administrator's link,
	// shown once.
	Created, SetupLink string
}

// operator wraps an operator page: it finds the operator session from the cookie, and checks
// that a change is a same-origin POST with the session's CSRF token.
func (p *Portal) operator(h func(w http.ResponseWriter, r *http.Request, id string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var id string
		c, err := r.Cookie(operatorCookie)
		if err == nil && p.cfg.Admins.Open("operator", c.Value, &id) {
			err = p.cfg.Admins.OperatorSession(r.Context(), id)
		} else {
			err = admins.ErrNotOperator
		}
		if err != nil {
			if c != nil {
				clearNamedCookie(w, operatorCookie)
			}
			p.render(w, r, statusOf(err), "error", view{Title: "Operator", Problems: problems(fault.As(err))})
			return
		}
		if r.Method != http.MethodGet && (!p.sameOrigin(r) || !p.cfg.Admins.CheckCSRF("operator:"+id, r.PostFormValue("csrf"))) {
			p.render(w, r, http.StatusForbidden, "error", view{Title: "Refused",
				Problems: []string{"This change did not come from a form of this portal, so it was refused and nothing was changed."}})
			return
		}
		if err := h(w, r, id); err != nil {
			p.fail(w, r, nil, err)
		}
	}
}

// operatorLinkPage shows the operator link's button: following the link spends nothing.
func (p *Portal) operatorLinkPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if _, err := p.cfg.Admins.CheckOperatorLink(r.Context(), token); err != nil {
		p.render(w, r, statusOf(err), "error", view{Title: "Operator link", Problems: problems(fault.As(err))})
		return
	}
	p.render(w, r, http.StatusOK, "operator_link", view{Title: "Operator", Data: token})
}

func (p *Portal) redeemOperatorLink(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		p.render(w, r, http.StatusForbidden, "error", view{Title: "Operator link", Problems: []string{"The form did not come from this portal."}})
		return
	}
	id, err := p.cfg.Admins.RedeemOperatorLink(r.Context(), r.PostFormValue("token"))
	if err == nil {
		var v string
		if v, err = p.cfg.Admins.Seal("operator", id, p.cfg.Admins.Options().MaxAge); err == nil {
			p.setShortCookie(w, operatorCookie, v, p.cfg.Admins.Options().MaxAge)
			http.Redirect(w, r, Prefix+"/operator/tenants", http.StatusSeeOther)
			return
		}
	}
	p.render(w, r, statusOf(err), "error", view{Title: "Operator link", Problems: problems(fault.As(err))})
}

func (p *Portal) operatorTenants(w http.ResponseWriter, r *http.Request, id string) error {
	pg := operatorPage{CSRF: p.cfg.Admins.CSRFToken("operator:" + id)}
	var f struct{ Tenant, Link string }
	if c, err := r.Cookie(flashCookie); err == nil {
		clearNamedCookie(w, flashCookie)
		if p.cfg.Admins.Open("flash:operator:"+id, c.Value, &f) {
			pg.Created, pg.SetupLink = f.Tenant, f.Link
		}
	}
	return p.renderOperator(w, r, http.StatusOK, pg, nil)
}

func (p *Portal) renderOperator(w http.ResponseWriter, r *http.Request, status int, pg operatorPage, probs []string) error {
	list, err := p.cfg.Admins.Tenants(r.Context())
	if err != nil {
		return err
	}
	pg.Tenants = list
	notice := ""
	if pg.Created != "" {
		notice = "Tenant " + pg.Created + " created. Give its first administrator the set-up link below: it is shown only once."
	}
	p.render(w, r, status, "operator", view{Title: "Tenants", Notice: notice, Problems: probs, Data: pg})
	return nil
}

// createTenant creates a tenant with its management application (and a demo application, as
// latchkey init does) and a link that sets up its first administrator, shown once.
func (p *Portal) createTenant(w http.ResponseWriter, r *http.Request, id string) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	pg := operatorPage{CSRF: p.cfg.Admins.CSRFToken("operator:" + id), Name: name}
	if name == "" {
		return p.renderOperator(w, r, http.StatusBadRequest, pg, []string{"name is required"})
	}
	if _, err := p.cfg.Admins.Tenant(r.Context(), name); err == nil {
		return p.renderOperator(w, r, http.StatusConflict, pg, []string{"a tenant with that name exists"})
	}
	b, err := p.cfg.Tenancy.Bootstrap(r.Context(), name, false)
	if fault.Is(err, fault.Invalid) {
		return p.renderOperator(w, r, http.StatusBadRequest, pg, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	if !b.Created {
		return p.renderOperator(w, r, http.StatusConflict, pg, []string{"a tenant with that name exists"})
	}
	token, err := p.cfg.Admins.NewSetupLink(r.Context(), b.TenantID)
	if err != nil {
		return err
	}
	if err := p.cfg.Admins.RecordTenantCreated(r.Context(), id, b.TenantID, p.attrs(r)); err != nil {
		p.cfg.Logger.Error("admin portal: audit record failed", "err", err, "action", "tenant.create")
	}
	link := p.publicBase(r) + Prefix + "/setup?token=" + token
	v, err := p.cfg.Admins.Seal("flash:operator:"+id, struct{ Tenant, Link string }{name, link}, admins.FlashTTL)
	if err != nil {
		return err
	}
	p.setShortCookie(w, flashCookie, v, admins.FlashTTL)
	http.Redirect(w, r, Prefix+"/operator/tenants", http.StatusSeeOther)
	return nil
}

func (p *Portal) operatorSignOut(w http.ResponseWriter, r *http.Request, _ string) error {
	if err := p.cfg.Admins.EndOperatorSessions(r.Context()); err != nil {
		return err
	}
	clearNamedCookie(w, operatorCookie)
	http.Redirect(w, r, Prefix+"/signin?done=signed-out", http.StatusSeeOther)
	return nil
}
