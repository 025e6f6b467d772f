package portal

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// settingsPage is the data of the tenant's settings page: the tenant's own settings (the
// tenant API's default language, the audit API's webhook) and one application's security
// settings (enumeration protection, and the rate_limits section of its login preferences).
type settingsPage struct {
	Language  string
	Languages []string
	Webhook   string
	// WebhookSecret is a signing secret just issued, shown this once.
	WebhookSecret string
	Apps          []tenancy.AppView
	App           tenancy.AppView
	Limits        limitsForm
}

// limitsForm is an application's rate limits as typed, so that a refused value is shown back.
type limitsForm struct {
	EnumerationProtection bool
	Fields                []limitField
}

type limitField struct {
	Name, Label, Help, Value string
	Min, Max                 int
}

func limitsFormOf(app model.Application) limitsForm {
	l, b := app.Preferences.Limits.Normalized(), model.RateLimitBounds
	n := strconv.Itoa
	return limitsForm{EnumerationProtection: app.EnumerationProtection, Fields: []limitField{
		{"sendsPerIdentifier", "Sends per identifier, per hour", "Codes and links one email address, phone number or user may be sent.", n(l.SendsPerIdentifier), b.SendsPerIdentifier.Min, b.SendsPerIdentifier.Max},
		{"sendsPerIp", "Sends per IP address, per hour", "Sends one end-user address may trigger.", n(l.SendsPerIP), b.SendsPerIP.Min, b.SendsPerIP.Max},
		{"sendsPerPhonePrefix", "SMS per phone-number prefix, per hour", "Against SMS pumping to ranges of premium numbers.", n(l.SendsPerPhonePrefix), b.SendsPerPhonePrefix.Min, b.SendsPerPhonePrefix.Max},
		{"phonePrefixDigits", "Digits of that prefix", "", n(l.PhonePrefixDigits), b.PhonePrefixDigits.Min, b.PhonePrefixDigits.Max},
		{"failuresPerIdentifier", "Wrong codes before a lockout", "Across all codes sent to one identifier.", n(l.FailuresPerIdentifier), b.FailuresPerIdentifier.Min, b.FailuresPerIdentifier.Max},
		{"failuresExpireIn", "Minutes wrong codes are counted", "", n(l.FailuresExpireIn), b.FailuresExpireIn.Min, b.FailuresExpireIn.Max},
	}}
}

func (p *Portal) showSettings(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	f := p.takeFlash(w, r, s)
	return p.renderSettings(w, r, s, http.StatusOK, r.URL.Query().Get("app"), nil, f.WebhookSecret, nil)
}

// renderSettings shows the page for one application (the first that is not the management
// application when appID is empty); limits and probs, when set, are a refused form to show
// again, and secret a webhook secret just issued.
func (p *Portal) renderSettings(w http.ResponseWriter, r *http.Request, s *signedIn, status int, appID string, limits *limitsForm, secret string, probs []string) error {
	t, err := p.cfg.Tenancy.Tenant(r.Context(), s.caller())
	if err != nil {
		return err
	}
	apps, err := p.cfg.Tenancy.ListApplications(r.Context(), s.caller())
	if err != nil {
		return err
	}
	pg := settingsPage{Language: t.DefaultLanguage, Languages: p.cfg.Tenancy.Languages(), Webhook: t.WebhookURL, WebhookSecret: secret, Apps: apps}
	for _, a := range apps {
		if a.ID == appID || appID == "" && a.Kind != model.AppKindManagement {
			pg.App = a
			break
		}
	}
	if pg.App.ID == "" && len(apps) > 0 {
		pg.App = apps[0]
	}
	if pg.App.ID != "" {
		pg.Limits = limitsFormOf(pg.App.Application)
	}
	if limits != nil {
		pg.Limits = *limits
	}
	if secret != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	p.render(w, r, status, "settings", view{Title: "Settings", Admin: s, Nav: "settings", Problems: probs, Data: pg})
	return nil
}

// saveLanguage sets the tenant's default language through the tenant API's call.
func (p *Portal) saveLanguage(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	lang := r.PostFormValue("default_language")
	_, err := p.cfg.Tenancy.UpdateTenant(r.Context(), s.caller(), tenancy.TenantSettings{DefaultLanguage: lang})
	if fault.Is(err, fault.Invalid) {
		return p.renderSettings(w, r, s, http.StatusBadRequest, "", nil, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "tenant.update", "", map[string]any{"default_language": lang})
	http.Redirect(w, r, Prefix+"/settings?done=settings-saved", http.StatusSeeOther)
	return nil
}

// saveWebhook points the audit events at a URL with a new signing secret, shown once, through
// the audit API's call.
func (p *Portal) saveWebhook(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	url := strings.TrimSpace(r.PostFormValue("webhook_url"))
	if url == "" {
		return p.renderSettings(w, r, s, http.StatusBadRequest, "", nil, "", []string{"url is required"})
	}
	sec, err := p.cfg.Audit.SetWebhook(r.Context(), s.caller(), url)
	if fault.Is(err, fault.Invalid) {
		return p.renderSettings(w, r, s, http.StatusBadRequest, "", nil, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "audit_webhook.set", "", map[string]any{"url": url})
	return p.redirectWithFlash(w, r, s, Prefix+"/settings", flash{WebhookSecret: sec})
}

// deleteWebhook turns the audit webhook off.
func (p *Portal) deleteWebhook(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if _, err := p.cfg.Audit.SetWebhook(r.Context(), s.caller(), ""); err != nil {
		return err
	}
	p.record(r, s, "audit_webhook.delete", "", nil)
	http.Redirect(w, r, Prefix+"/settings?done=webhook-off", http.StatusSeeOther)
	return nil
}

// saveSecurity saves one application's enumeration protection, through the applications
// API's update, and its rate limits, through the login-preferences API's SetAuthMethods, so
// that the ranges refused are the API's.
func (p *Portal) saveSecurity(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID := r.PathValue("app")
	_ = r.ParseForm()
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	f := limitsFormOf(app.Application)
	f.EnumerationProtection = r.PostForm.Get("enumeration_protection") == "on"
	limits := map[string]any{}
	var probs []string
	for i, fld := range f.Fields {
		v := strings.TrimSpace(r.PostForm.Get(fld.Name))
		f.Fields[i].Value = v
		n, err := strconv.Atoi(v)
		if err != nil {
			probs = append(probs, "rate_limits."+fld.Name+" must be a whole number")
			continue
		}
		limits[fld.Name] = n
	}
	if len(probs) > 0 {
		return p.renderSettings(w, r, s, http.StatusBadRequest, appID, &f, "", probs)
	}
	raw, err := json.Marshal(limits)
	if err != nil {
		return fault.Wrap(err, "encode rate limits")
	}
	_, err = p.cfg.Tenancy.SetAuthMethods(r.Context(), s.caller(), appID, map[string]json.RawMessage{tenancy.KeyRateLimits: raw})
	if fault.Is(err, fault.Invalid) {
		return p.renderSettings(w, r, s, http.StatusBadRequest, appID, &f, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	if f.EnumerationProtection != app.EnumerationProtection {
		if _, err := p.cfg.Tenancy.UpdateApplication(r.Context(), s.caller(), appID, tenancy.ApplicationInput{EnumerationProtection: &f.EnumerationProtection}); err != nil {
			return err
		}
	}
	p.record(r, s, "application.security", "", map[string]any{"app_id": appID, "enumeration_protection": f.EnumerationProtection})
	http.Redirect(w, r, Prefix+"/settings?app="+appID+"&done=settings-saved", http.StatusSeeOther)
	return nil
}
