package portal

import (
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// appForm is an application as its form shows it.
type appForm struct {
	ID                    string
	Name                  string
	Description           string
	RedirectURIs          string
	LoginURI              string
	AllowPublicSignup     bool
	EnumerationProtection bool
	Management            bool
}

func appFormOf(a tenancy.AppView) appForm {
	return appForm{ID: a.ID, Name: a.Name, Description: a.Description, RedirectURIs: strings.Join(a.RedirectURIs, "\n"),
		LoginURI: a.Profile.LoginURI, AllowPublicSignup: a.AllowPublicSignup, EnumerationProtection: a.EnumerationProtection,
		Management: a.Kind == model.AppKindManagement}
}

// readAppForm reads a posted application form. Every field is sent by the form, so an absent
// checkbox is a cleared one.
func readAppForm(r *http.Request) (appForm, tenancy.ApplicationInput) {
	f := appForm{
		Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		RedirectURIs: r.PostFormValue("redirect_uris"), LoginURI: strings.TrimSpace(r.PostFormValue("login_uri")),
		AllowPublicSignup: r.PostFormValue("allow_public_signup") == "on", EnumerationProtection: r.PostFormValue("enumeration_protection") == "on",
	}
	redirects := splitLines(f.RedirectURIs)
	in := tenancy.ApplicationInput{Name: &f.Name, Description: &f.Description, RedirectURIs: &redirects,
		AllowPublicSignup: &f.AllowPublicSignup, EnumerationProtection: &f.EnumerationProtection, LoginURI: &f.LoginURI}
	return f, in
}

// appPage is the data of an application's page.
type appPage struct {
	App     appForm
	Clients []model.Client
	// Secret is a client secret just issued, shown this once.
	Secret *issuedSecret
}

type issuedSecret struct {
	ClientID, ClientName, Secret string
}

func (p *Portal) listApps(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	apps, err := p.cfg.Tenancy.ListApplications(r.Context(), s.caller())
	if err != nil {
		return err
	}
	p.render(w, r, http.StatusOK, "apps", view{Title: "Applications", Admin: s, Nav: "apps", Data: apps})
	return nil
}

func (p *Portal) newApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	p.render(w, r, http.StatusOK, "app_new", view{Title: "New application", Admin: s, Nav: "apps", Data: appForm{EnumerationProtection: true}})
	return nil
}

func (p *Portal) createApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	f, in := readAppForm(r)
	app, issued, err := p.cfg.Tenancy.CreateApplication(r.Context(), s.caller(), in)
	if fault.Is(err, fault.Invalid) || fault.Is(err, fault.Conflict) {
		p.render(w, r, http.StatusBadRequest, "app_new", view{Title: "New application", Admin: s, Nav: "apps", Data: f, Problems: problems(fault.As(err))})
		return nil
	}
	if err != nil {
		return err
	}
	p.record(r, s, "application.create", "", map[string]any{"app_id": app.ID, "client_id": issued.Client.ID})
	// The default client's secret exists only now: the application's page shows it once.
	return p.redirectWithFlash(w, r, s, Prefix+"/apps/"+app.ID, flash{
		Notice: "Application created. Copy the client secret now: it is shown only once.",
		Secret: &issuedSecret{ClientID: issued.Client.ID, ClientName: issued.Client.Name, Secret: issued.Secret}})
}

func (p *Portal) showApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	f := p.takeFlash(w, r, s)
	if f.Secret != nil && f.Secret.ClientID == "" {
		f.Secret = nil
	}
	return p.renderApp(w, r, s, r.PathValue("app"), http.StatusOK, f.Notice, f.Secret, nil, nil)
}

// renderApp shows an application with its clients; form and probs, when set, are a rejected
// edit to show again with what was wrong.
func (p *Portal) renderApp(w http.ResponseWriter, r *http.Request, s *signedIn, appID string, status int, notice string,
	secret *issuedSecret, form *appForm, probs []string) error {
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	clients, err := p.cfg.Tenancy.ListClients(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	pg := appPage{App: appFormOf(app), Clients: clients, Secret: secret}
	if form != nil {
		form.ID, form.Management = pg.App.ID, pg.App.Management
		pg.App = *form
	}
	if secret != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	p.render(w, r, status, "app", view{Title: app.Name, Admin: s, Nav: "apps", Notice: notice, Problems: probs, Data: pg})
	return nil
}

func (p *Portal) updateApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID := r.PathValue("app")
	f, in := readAppForm(r)
	_, err := p.cfg.Tenancy.UpdateApplication(r.Context(), s.caller(), appID, in)
	if fault.Is(err, fault.Invalid) || fault.Is(err, fault.Conflict) {
		return p.renderApp(w, r, s, appID, http.StatusBadRequest, "", nil, &f, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "application.update", "", map[string]any{"app_id": appID})
	http.Redirect(w, r, Prefix+"/apps/"+appID+"?done=app-saved", http.StatusSeeOther)
	return nil
}

// confirmPage asks before something is deleted; Action is where the form posts.
type confirmPage struct {
	What, Name, Consequence, Action, Back string
}

func (p *Portal) confirmDeleteApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), r.PathValue("app"))
	if err != nil {
		return err
	}
	base := Prefix + "/apps/" + app.ID
	p.render(w, r, http.StatusOK, "confirm", view{Title: "Delete " + app.Name, Admin: s, Nav: "apps", Data: confirmPage{
		What: "application", Name: app.Name, Action: base + "/delete", Back: base,
		Consequence: "Its clients stop working at once, and its users lose their link to it. This cannot be undone.",
	}})
	return nil
}

func (p *Portal) deleteApp(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID := r.PathValue("app")
	if appID == s.Caller.AppID {
		// The portal signs administrators in through this application: deleting it from here
		// would lock every administrator out.
		return fault.New(fault.Conflict, "management_application", "the management application the portal signs in through cannot be deleted from the portal")
	}
	if err := p.cfg.Tenancy.DeleteApplication(r.Context(), s.caller(), appID); err != nil {
		return err
	}
	p.record(r, s, "application.delete", "", map[string]any{"app_id": appID})
	http.Redirect(w, r, Prefix+"/apps?done=app-deleted", http.StatusSeeOther)
	return nil
}
