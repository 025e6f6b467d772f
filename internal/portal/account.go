package portal

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/fault"
)

// accountPage is the data of the account page: what the administrator can sign in with, and
// the tenant's choice of methods.
type accountPage struct {
	admins.Account
	// NewTOTP is an authenticator just enrolled, awaiting its first code; QR is its key as a
	// QR code (a data: URL, which the policy allows for images).
	NewTOTP *newTOTP
	QR      template.URL
	// PendingTOTP is the id of an enrolment whose confirming code was wrong, to try again.
	PendingTOTP string
	Methods     []methodChoice
}

type methodChoice struct {
	Key, Name string
	On        bool
}

func (p *Portal) showAccount(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	f := p.takeFlash(w, r, s)
	return p.renderAccount(w, r, s, http.StatusOK, f.Notice, f.TOTP, "", nil)
}

func (p *Portal) renderAccount(w http.ResponseWriter, r *http.Request, s *signedIn, status int, notice string, nt *newTOTP, pending string, probs []string) error {
	acc, err := p.cfg.Admins.Account(r.Context(), s.Admin)
	if err != nil {
		return err
	}
	on, err := p.cfg.Admins.SignInMethods(r.Context(), s.Tenant.ID)
	if err != nil {
		return err
	}
	pg := accountPage{Account: acc, NewTOTP: nt, PendingTOTP: pending}
	for _, m := range admins.Methods {
		pg.Methods = append(pg.Methods, methodChoice{Key: m, Name: signInMethodNames[m], On: contains(on, m)})
	}
	if nt != nil {
		pg.PendingTOTP = nt.ID
		if qr, err := qrDataURL(nt.URI); err == nil {
			pg.QR = qr
		}
	}
	p.render(w, r, status, "account", view{Title: "Your account", Admin: s, Nav: "account", Notice: notice, Problems: probs, Data: pg})
	return nil
}

// qrDataURL draws an otpauth URI as a PNG QR code in a data: URL.
func qrDataURL(uri string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	// The URL is built here from a PNG's bytes, never from input: safe to mark as a URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (p *Portal) setOwnPassword(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password_again") {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, "", []string{"The two passwords differ."})
	}
	err := p.cfg.Admins.SetPassword(r.Context(), s.Admin, pw, p.attrs(r))
	if fault.Is(err, fault.Invalid) {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/account?done=own-password-set", http.StatusSeeOther)
	return nil
}

// addTOTP enrols an authenticator; its key is shown once, on the page the redirect names.
func (p *Portal) addTOTP(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	e, err := p.cfg.Admins.StartTOTP(r.Context(), s.Admin)
	if fault.Is(err, fault.Invalid) || fault.Is(err, fault.Conflict) {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	return p.redirectWithFlash(w, r, s, Prefix+"/account", flash{
		Notice: "Scan the code with your authenticator app, then enter the code it shows. The key is shown only once.",
		TOTP:   &newTOTP{ID: e.ID, Secret: e.Secret, URI: e.URI}})
}

func (p *Portal) confirmTOTP(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PostFormValue("totp_id")
	err := p.cfg.Admins.ConfirmTOTP(r.Context(), s.Admin, id, r.PostFormValue("code"), p.attrs(r))
	if fault.Is(err, fault.Invalid) || fault.Is(err, fault.NotFound) || fault.Is(err, fault.Conflict) {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, id, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/account?done=totp-added", http.StatusSeeOther)
	return nil
}

func (p *Portal) saveMethods(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	_ = r.ParseForm()
	err := p.cfg.Admins.SetSignInMethods(r.Context(), s.Admin, r.PostForm["methods"], p.attrs(r))
	if fault.Is(err, fault.Invalid) {
		return p.renderAccount(w, r, s, http.StatusBadRequest, "", nil, "", problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/account?done=methods-saved", http.StatusSeeOther)
	return nil
}
