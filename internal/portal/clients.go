package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// clientForm is a client as its form shows it. Lifetimes are text so that a rejected value is
// shown back as it was typed.
type clientForm struct {
	AppID, ID           string
	Name, Description   string
	ClientType          string
	RedirectURIs        string
	DefaultCustomClaims string
	Resources           []string
	AccessTokenTTL      string
	RefreshTokenTTL     string
	MaxRefreshRotate    string
	SessionExpiration   string
}

func clientFormOf(c model.Client) clientForm {
	itoa := func(v int) string {
		if v == 0 {
			return ""
		}
		return strconv.Itoa(v)
	}
	ct := c.ClientType
	if ct == "" {
		ct = model.ClientTypeWeb
	}
	return clientForm{AppID: c.AppID, ID: c.ID, Name: c.Name, Description: c.Description, ClientType: ct,
		RedirectURIs: strings.Join(c.RedirectURIs, "\n"), DefaultCustomClaims: strings.Join(c.DefaultCustomClaims, "\n"),
		Resources: c.ResourceIDs, AccessTokenTTL: itoa(c.AccessTokenTTL), RefreshTokenTTL: itoa(c.RefreshTokenTTL),
		MaxRefreshRotate: itoa(c.MaxRefreshRotate), SessionExpiration: itoa(c.SessionExpiration)}
}

// readClientForm reads a posted client form into the same input the API builds. A lifetime
// that is not a whole number is a problem of its own; an empty one means the default (0).
func readClientForm(r *http.Request) (clientForm, tenancy.ClientInput, []string) {
	_ = r.ParseForm()
	f := clientForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), ClientType: r.PostFormValue("client_type"),
		RedirectURIs: r.PostFormValue("redirect_uris"), DefaultCustomClaims: r.PostFormValue("default_custom_claims"),
		Resources:      r.PostForm["resources"],
		AccessTokenTTL: r.PostFormValue("access_token_ttl"), RefreshTokenTTL: r.PostFormValue("refresh_token_ttl"),
		MaxRefreshRotate: r.PostFormValue("max_refresh_rotate"), SessionExpiration: r.PostFormValue("session_expiration")}
	var probs []string
	num := func(field, v string) *int {
		n := 0
		if v = strings.TrimSpace(v); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				probs = append(probs, field+" must be a whole number of seconds")
			}
		}
		return &n
	}
	redirects, claims := splitLines(f.RedirectURIs), splitLines(f.DefaultCustomClaims)
	resources := append([]string{}, f.Resources...)
	in := tenancy.ClientInput{Name: &f.Name, Description: &f.Description, ClientType: &f.ClientType, RedirectURIs: &redirects,
		DefaultCustomClaims: &claims, ResourceIDs: &resources,
		AccessTokenTTL: num("access_token_ttl", f.AccessTokenTTL), RefreshTokenTTL: num("refresh_token_ttl", f.RefreshTokenTTL),
		MaxRefreshRotate: num("max_refresh_rotate", f.MaxRefreshRotate), SessionExpiration: num("session_expiration", f.SessionExpiration)}
	return f, in, probs
}

// clientPage is the data of a client's page.
type clientPage struct {
	AppName   string
	Client    clientForm
	Resources []model.Resource
	Types     []string
}

func (p *Portal) renderClient(w http.ResponseWriter, r *http.Request, s *signedIn, status int, form *clientForm, probs []string) error {
	appID, clientID := r.PathValue("app"), r.PathValue("client")
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	c, err := p.cfg.Tenancy.Client(r.Context(), s.caller(), appID, clientID)
	if err != nil {
		return err
	}
	res, err := p.cfg.Tenancy.ListResources(r.Context(), s.caller())
	if err != nil {
		return err
	}
	pg := clientPage{AppName: app.Name, Client: clientFormOf(c), Resources: res, Types: []string{model.ClientTypeWeb, model.ClientTypeNative}}
	if form != nil {
		form.AppID, form.ID = appID, clientID
		pg.Client = *form
	}
	p.render(w, r, status, "client", view{Title: c.Name, Admin: s, Nav: "apps", Problems: probs, Data: pg})
	return nil
}

func (p *Portal) showClient(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return p.renderClient(w, r, s, http.StatusOK, nil, nil)
}

func (p *Portal) updateClient(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID, clientID := r.PathValue("app"), r.PathValue("client")
	f, in, probs := readClientForm(r)
	if len(probs) > 0 {
		return p.renderClient(w, r, s, http.StatusBadRequest, &f, probs)
	}
	_, err := p.cfg.Tenancy.UpdateClient(r.Context(), s.caller(), appID, clientID, in)
	if fault.Is(err, fault.Invalid) {
		return p.renderClient(w, r, s, http.StatusBadRequest, &f, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "client.update", "", map[string]any{"app_id": appID, "client_id": clientID})
	http.Redirect(w, r, Prefix+"/apps/"+appID+"/clients/"+clientID+"?done=client-saved", http.StatusSeeOther)
	return nil
}

// createClient makes a client with a name (and the application's redirect URIs); the rest is
// set on its own page. Its secret is shown once, on the application's page.
func (p *Portal) createClient(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID := r.PathValue("app")
	name := r.PostFormValue("name")
	issued, err := p.cfg.Tenancy.CreateClient(r.Context(), s.caller(), appID, tenancy.ClientInput{Name: &name})
	if fault.Is(err, fault.Invalid) {
		return p.renderApp(w, r, s, appID, http.StatusBadRequest, "", nil, nil, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "client.create", "", map[string]any{"app_id": appID, "client_id": issued.Client.ID})
	return p.redirectWithFlash(w, r, s, Prefix+"/apps/"+appID, flash{Notice: "Client created. Copy its secret now: it is shown only once.",
		Secret: &issuedSecret{ClientID: issued.Client.ID, ClientName: issued.Client.Name, Secret: issued.Secret}})
}

// rotateSecret issues a new secret (the old one stops working at once) and shows it once.
func (p *Portal) rotateSecret(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID, clientID := r.PathValue("app"), r.PathValue("client")
	issued, err := p.cfg.Tenancy.RotateClientSecret(r.Context(), s.caller(), appID, clientID)
	if err != nil {
		return err
	}
	p.record(r, s, "client.rotate_secret", "", map[string]any{"app_id": appID, "client_id": clientID})
	return p.redirectWithFlash(w, r, s, Prefix+"/apps/"+appID, flash{Notice: "New secret issued; the old one no longer works. Copy it now: it is shown only once.",
		Secret: &issuedSecret{ClientID: issued.Client.ID, ClientName: issued.Client.Name, Secret: issued.Secret}})
}

func (p *Portal) confirmDeleteClient(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID, clientID := r.PathValue("app"), r.PathValue("client")
	c, err := p.cfg.Tenancy.Client(r.Context(), s.caller(), appID, clientID)
	if err != nil {
		return err
	}
	base := Prefix + "/apps/" + appID + "/clients/" + clientID
	p.render(w, r, http.StatusOK, "confirm", view{Title: "Delete " + c.Name, Admin: s, Nav: "apps", Data: confirmPage{
		What: "client", Name: c.Name, Action: base + "/delete", Back: base,
		Consequence: "Backends using its id and secret can no longer get tokens. This cannot be undone.",
	}})
	return nil
}

func (p *Portal) deleteClient(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID, clientID := r.PathValue("app"), r.PathValue("client")
	if clientID == s.Caller.ClientID {
		return fault.New(fault.Conflict, "management_client", "the client the portal acts through cannot be deleted from the portal")
	}
	if err := p.cfg.Tenancy.DeleteClient(r.Context(), s.caller(), appID, clientID); err != nil {
		return err
	}
	p.record(r, s, "client.delete", "", map[string]any{"app_id": appID, "client_id": clientID})
	http.Redirect(w, r, Prefix+"/apps/"+appID+"?done=client-deleted", http.StatusSeeOther)
	return nil
}
