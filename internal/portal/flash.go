package portal

import (
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/admins"
)

// Every POST that succeeds answers with a 303 to a page (post/redirect/get), so that reloading
// that page repeats nothing. What the POST made and the page must show once (a client secret,
// a set-up link) travels in a short-lived cookie sealed under the master key and bound to the
// session; the page that shows it clears it, so a reload no longer shows it, and it stops
// opening after admins.FlashTTL in any case. Being sealed, it needs no store shared by nodes.
const (
	flashCookie = "__Host-latchkey_flash"
	// pendingCookie carries a sign-in in progress (tenant, address, where to go next) from
	// the form that sends a code to the form that takes it.
	pendingCookie = "__Host-latchkey_signin"
	// pendingTTL is how long the code form works after the code was sent.
	pendingTTL = 15 * time.Minute
)

// flash is what a redirect's page shows once.
type flash struct {
	Notice string        `json:"notice,omitempty"`
	Secret *issuedSecret `json:"secret,omitempty"`
	// Link is a one-time link (a set-up or invitation link) shown once.
	Link string `json:"link,omitempty"`
	// TOTP is a new authenticator's key, shown once, until a first code confirms it.
	TOTP *newTOTP `json:"totp,omitempty"`
	// WebhookSecret is the audit webhook's new signing secret.
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

// newTOTP is what an authenticator app needs to be set up.
type newTOTP struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// redirectWithFlash answers a POST with a 303 to the page at to, carrying f for it to show once.
func (p *Portal) redirectWithFlash(w http.ResponseWriter, r *http.Request, s *signedIn, to string, f flash) error {
	v, err := p.cfg.Admins.Seal("flash:"+s.sessionID, f, admins.FlashTTL)
	if err != nil {
		return err
	}
	p.setShortCookie(w, flashCookie, v, admins.FlashTTL)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// takeFlash returns what the previous POST left for this page, and clears it.
func (p *Portal) takeFlash(w http.ResponseWriter, r *http.Request, s *signedIn) flash {
	var f flash
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return f
	}
	clearNamedCookie(w, flashCookie)
	if !p.cfg.Admins.Open("flash:"+s.sessionID, c.Value, &f) {
		return flash{}
	}
	return f
}

// setShortCookie sets a cookie of the portal that lives ttl. Like the session cookie it is
// __Host-: Secure, Path=/, no Domain; the sign-in pages refuse to run where the browser would
// drop it (see secureContext).
func (p *Portal) setShortCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(ttl.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func clearNamedCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}
