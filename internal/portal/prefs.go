package portal

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
)

// prefsForm is the email sections of an application's login preferences, as typed.
type prefsForm struct {
	OTPExpiresIn, OTPMaxFailures, OTPLockout, OTPCodeLength string
	OTPCrossClients                                         bool
	OTPFrom, OTPSubject, OTPColor                           string
	LinkExpiresIn, LinksPerUser                             string
	LinkFrom, LinkSubject, LinkColor                        string
	smsForm
	passwordForm
}

func prefsFormOf(p model.LoginPreferences) prefsForm {
	o, l, it := p.EmailOTP, p.MagicLink, strconv.Itoa
	sf, pf := methodFormsOf(p)
	return prefsForm{smsForm: sf, passwordForm: pf,
		OTPExpiresIn: it(o.ExpiresIn), OTPMaxFailures: it(o.MaxFailures), OTPLockout: it(o.LockoutDuration), OTPCodeLength: it(o.CodeLength),
		OTPCrossClients: o.CrossClientsAllowed, OTPFrom: o.Message.From, OTPSubject: o.Message.Subject, OTPColor: o.Message.PrimaryColor,
		LinkExpiresIn: it(l.ExpiresIn), LinksPerUser: it(l.LinksPerUser),
		LinkFrom: l.Message.From, LinkSubject: l.Message.Subject, LinkColor: l.Message.PrimaryColor,
	}
}

func readPrefsForm(v url.Values) prefsForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	sf, pf := readMethodForms(v)
	return prefsForm{smsForm: sf, passwordForm: pf,
		OTPExpiresIn: g("otp_expires_in"), OTPMaxFailures: g("otp_max_failures"), OTPLockout: g("otp_lockout"), OTPCodeLength: g("otp_code_length"),
		OTPCrossClients: v.Get("otp_cross_clients") == "on", OTPFrom: g("otp_from"), OTPSubject: v.Get("otp_subject"), OTPColor: g("otp_color"),
		LinkExpiresIn: g("link_expires_in"), LinksPerUser: g("links_per_user"),
		LinkFrom: g("link_from"), LinkSubject: v.Get("link_subject"), LinkColor: g("link_color"),
	}
}

// sections turns the form into the two sections of the API's auth_methods object. A number
// that is not one is reported under the API's own field name.
func (f prefsForm) sections() (model.OTPPreferences, model.MagicLinkPreferences, []string) {
	var probs []string
	num := func(field, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil {
			probs = append(probs, field+" must be a whole number")
		}
		return n
	}
	o := model.OTPPreferences{
		ExpiresIn: num("email_otp.expiresIn", f.OTPExpiresIn), MaxFailures: num("email_otp.maxFailures", f.OTPMaxFailures),
		LockoutDuration: num("email_otp.lockoutDuration", f.OTPLockout), CodeLength: num("email_otp.codeLength", f.OTPCodeLength),
		CrossClientsAllowed: f.OTPCrossClients,
		Message:             model.MessageBranding{From: f.OTPFrom, Subject: f.OTPSubject, PrimaryColor: f.OTPColor},
	}
	l := model.MagicLinkPreferences{
		ExpiresIn: num("email.expiresIn", f.LinkExpiresIn), LinksPerUser: num("email.linksPerUser", f.LinksPerUser),
		Message: model.MessageBranding{From: f.LinkFrom, Subject: f.LinkSubject, PrimaryColor: f.LinkColor},
	}
	return o, l, probs
}

// prefsPage is the data of the login preferences page.
type prefsPage struct {
	AppID, AppName string
	Form           prefsForm
	OTP            struct{ ExpiresIn, MaxFailures, LockoutDuration, CodeLength model.Range }
	Link           struct{ ExpiresIn, LinksPerUser model.Range }
	SMS            struct{ ExpiresIn, MaxFailures, LockoutDuration, CodeLength model.Range }
	Password       struct {
		PasswordComplexity, PasswordMinLength, PasswordExpiresIn, BlockPreviousPasswords model.Range
		MaxPasswordFailures, PasswordSuspensionDuration, FailuresExpireIn                model.Range
		ResetValidityMinutes, TempPasswordValidityHours, CodeLength                      model.Range
	}
	// Errs holds each problem under the API field it names, shown beside that field.
	Errs       map[string]string
	MaxSubject int
	Languages  []string
	Preview    previewData
}

func (p *Portal) renderPrefs(w http.ResponseWriter, r *http.Request, s *signedIn, status int, form *prefsForm, probs []string) error {
	appID := r.PathValue("app")
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	pg := prefsPage{AppID: app.ID, AppName: app.Name, Form: prefsFormOf(app.Preferences.Normalized()),
		MaxSubject: model.MaxBrandingSubject, Languages: p.cfg.Tenancy.Languages()}
	pg.OTP = model.OTPBounds
	pg.Link = model.LinkBounds
	pg.SMS, pg.Password = model.OTPBounds, model.PasswordBounds
	pg.Errs = fieldProblems(probs)
	if form != nil {
		pg.Form = *form
	}
	pg.Preview = p.previewOf(app.Application, s.Tenant, pg.Form, "otp", "")
	p.render(w, r, status, "prefs", view{Title: "Login preferences · " + app.Name, Admin: s, Nav: "apps", Problems: probs, Data: pg})
	return nil
}

func (p *Portal) showPrefs(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return p.renderPrefs(w, r, s, http.StatusOK, nil, nil)
}

// savePrefs sends the four sections through the API's own call, SetAuthMethods, so that the
// form is held to exactly the API's validation.
func (p *Portal) savePrefs(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	appID := r.PathValue("app")
	_ = r.ParseForm()
	f := readPrefsForm(r.PostForm)
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), appID)
	if err != nil {
		return err
	}
	o, l, probs := f.sections()
	sms, pw := methodSections(app.Preferences, f.smsForm, f.passwordForm, func(field, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil {
			probs = append(probs, field+" must be a whole number")
		}
		return n
	})
	if len(probs) > 0 {
		return p.renderPrefs(w, r, s, http.StatusBadRequest, &f, probs)
	}
	methods := map[string]json.RawMessage{}
	for name, v := range map[string]any{tenancy.MethodEmailOTP: o, tenancy.MethodMagicLink: l, tenancy.MethodSMS: sms, tenancy.MethodPassword: pw} {
		if methods[name], err = json.Marshal(v); err != nil {
			return fault.Wrap(err, "encode "+name)
		}
	}
	_, err = p.cfg.Tenancy.SetAuthMethods(r.Context(), s.caller(), appID, methods)
	if fault.Is(err, fault.Invalid) {
		return p.renderPrefs(w, r, s, http.StatusBadRequest, &f, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	p.record(r, s, "login_preferences.update", "", map[string]any{"app_id": appID, "sections": []string{tenancy.MethodEmailOTP, tenancy.MethodMagicLink, tenancy.MethodSMS, tenancy.MethodPassword}})
	http.Redirect(w, r, Prefix+"/apps/"+appID+"/login?done=prefs-saved", http.StatusSeeOther)
	return nil
}

// previewData is one rendering of an email for the preview.
type previewData struct {
	Kind     string `json:"kind"`
	Language string `json:"language"`
	Subject  string `json:"subject"`
	From     string `json:"from"`
	Text     string `json:"text"`
	// SMS is the passcode SMS the SMS section's settings would send, in the same language.
	SMS      string   `json:"sms"`
	HTML     string   `json:"-"`
	Problems []string `json:"problems"`
	// Src is the address of the rendered HTML, which the page shows in a frame.
	Src string `json:"src"`
}

// previewLink stands in for a real link.
const previewLink = "https://login.example/magic-link?code=preview"

// previewOf renders the email of kind ("otp" or "link") that the form's settings would send,
// with the very functions the login flows send with, and validates the settings as saving
// them would.
func (p *Portal) previewOf(app model.Application, t model.Tenant, f prefsForm, kind, lang string) previewData {
	o, l, probs := f.sections()
	prefs := app.Preferences
	prefs.EmailOTP, prefs.MagicLink = o, l
	probs = append(probs, prefs.Problems()...)
	if lang == "" {
		lang = t.DefaultLanguage
	}
	lang = p.texts().Choose(lang)
	out := previewData{Kind: kind, Language: lang, Problems: probs}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	var err error
	n := prefs.Normalized()
	if kind == "link" {
		out.From = l.Message.From
		out.Subject, out.Text, out.HTML, err = delivery.RenderMagicLinkEmail(delivery.LinkEmail{
			Texts: p.texts(), Language: lang, AppName: app.Name, URL: previewLink, ExpiresInMinutes: n.MagicLink.ExpiresIn, Branding: l.Message,
		})
	} else {
		out.Kind = "otp"
		out.From = o.Message.From
		code := "12345678"[:clamp(n.EmailOTP.CodeLength, 4, 8)]
		out.Subject, out.Text, out.HTML, err = delivery.RenderOTPEmail(delivery.OTPEmail{
			Texts: p.texts(), Language: lang, AppName: app.Name, Code: code, ExpiresInMinutes: n.EmailOTP.ExpiresIn, Branding: o.Message,
		})
	}
	if err != nil {
		out.Problems = append(out.Problems, "the email cannot be rendered: "+err.Error())
	}
	out.SMS = p.smsPreview(app.Name, lang, f.smsForm)
	q := formValues(f)
	q.Set("kind", out.Kind)
	q.Set("lang", lang)
	out.Src = Prefix + "/apps/" + app.ID + "/login/preview?" + q.Encode()
	return out
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

func (p *Portal) texts() *delivery.Texts {
	if p.cfg.Texts == nil {
		return delivery.BuiltinTexts()
	}
	return p.cfg.Texts
}

// formValues is the form as query parameters, the preview's address.
func formValues(f prefsForm) url.Values {
	v := url.Values{}
	v.Set("otp_expires_in", f.OTPExpiresIn)
	v.Set("otp_max_failures", f.OTPMaxFailures)
	v.Set("otp_lockout", f.OTPLockout)
	v.Set("otp_code_length", f.OTPCodeLength)
	if f.OTPCrossClients {
		v.Set("otp_cross_clients", "on")
	}
	v.Set("otp_from", f.OTPFrom)
	v.Set("otp_subject", f.OTPSubject)
	v.Set("otp_color", f.OTPColor)
	v.Set("link_expires_in", f.LinkExpiresIn)
	v.Set("links_per_user", f.LinksPerUser)
	v.Set("link_from", f.LinkFrom)
	v.Set("link_subject", f.LinkSubject)
	v.Set("link_color", f.LinkColor)
	return v
}

// previewCSP lets the email's own inline styles and data: logo show, runs nothing, and lets
// only the portal frame it. sandbox gives the document an opaque origin besides.
const previewCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"

// preview answers the form's settings (query parameters, read-only: nothing is saved) with the
// email's HTML, or with its subject, sender, text and problems as JSON (format=json), which
// the page's script shows beside the frame.
func (p *Portal) preview(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	app, err := p.cfg.Tenancy.Application(r.Context(), s.caller(), r.PathValue("app"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pv := p.previewOf(app.Application, s.Tenant, readPrefsForm(q), q.Get("kind"), q.Get("lang"))
	if q.Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(pv)
	}
	w.Header().Set("Content-Security-Policy", previewCSP)
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(pv.HTML))
	return nil
}
