package portal

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/admins"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/auth/session"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/clientip"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxBody bounds a request body: the largest form (a client's) is a few kilobytes.
const maxBody = 256 << 10

// Prefix is where the portal is served.
const Prefix = "/admin"

// cookieName is the session cookie. The __Host- prefix makes the browser refuse it unless it
// is Secure, has no Domain and has Path=/, so no other host or path can plant or read one.
const cookieName = "__Host-latchkey_admin"

// Config is what the portal needs: the domain services it calls.
type Config struct {
	Admins    *admins.Service
	Tenancy   *tenancy.Service
	Directory *directory.Service
	Sessions  *session.Service
	Audit     *audit.Log
	// Tokens manages the tenant's signing keys (the keys page); Passwords, TOTP and Passkeys
	// are the login methods whose credentials a user's page manages. The pages that need one
	// left nil answer that the portal does not offer them.
	Tokens    *token.Manager
	Passwords *passwords.Service
	TOTP      *totp.Service
	Passkeys  *passkeys.Service
	// Texts are the email wordings, for the preview; nil uses the built-in ones.
	Texts  *delivery.Texts
	Logger *slog.Logger
	// DefaultTenant is the tenant the sign-in form names unless the address says another.
	DefaultTenant string
	// TrustedProxies are the load balancers and reverse proxies whose forwarding headers are
	// believed (LATCHKEY_TRUSTED_PROXIES), as the API believes them: for the address audit
	// records and limits see, the origin a form must come from, and whether the browser
	// reached the portal over HTTPS.
	TrustedProxies []netip.Prefix
	// PublicURL is where the deployment is reached: the base of the links emails carry.
	PublicURL string
}

// Portal serves the admin portal.
type Portal struct {
	cfg   Config
	mux   *http.ServeMux
	pages pages
}

// New builds the portal.
func New(cfg Config) (*Portal, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DefaultTenant == "" {
		cfg.DefaultTenant = "default"
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	p := &Portal{cfg: cfg, mux: http.NewServeMux(), pages: pg}
	p.routes()
	return p, nil
}

// Handler serves every path under Prefix.
func (p *Portal) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				p.cfg.Logger.Error("admin portal panic", "panic", v, "path", r.URL.Path)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		secureHeaders(w.Header())
		// Every form of the portal is small; a larger body is refused before it is read.
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if !p.secureContext(r) && !strings.HasPrefix(r.URL.Path, Prefix+"/static/") {
			// The browser would drop the Secure session cookie, and sign-in would fail without
			// saying why; say it here instead.
			p.render(w, r, http.StatusForbidden, "error", view{Title: "HTTPS needed", Problems: []string{
				"The admin portal works only over HTTPS (or at localhost). If a proxy in front of Latchkey terminates TLS, " +
					"list it in LATCHKEY_TRUSTED_PROXIES so that its X-Forwarded-Proto is believed."}})
			return
		}
		p.mux.ServeHTTP(w, r)
	})
}

// pageCSP allows the portal's own script, styles and frames (the email preview) and nothing
// else: no inline script or style, no plug-ins, no other origin, and no framing of the portal.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// The set-up link carries its token in the address; no page sends its address onwards.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// handler is a page that needs a signed-in administrator.
type handler func(w http.ResponseWriter, r *http.Request, s *signedIn) error

// signedIn is the administrator of a request and what their forms need.
type signedIn struct {
	admins.Admin
	sessionID string
	CSRF      string
	Tenant    model.Tenant
}

// Caller is how the domain sees the administrator.
func (s *signedIn) caller() model.Caller { return s.Caller }

// admin wraps a handler: it finds the session from the cookie (or sends the browser to sign
// in), and checks that every request that could change something is a same-origin POST with
// the session's CSRF token.
func (p *Portal) admin(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenantID, sid, ok := readCookie(r)
		var s *signedIn
		if ok {
			a, err := p.cfg.Admins.Session(r.Context(), tenantID, sid)
			if err == nil {
				t, terr := p.cfg.Admins.Tenant(r.Context(), tenantID)
				if terr != nil {
					p.fail(w, r, nil, terr)
					return
				}
				s = &signedIn{Admin: a, sessionID: sid, CSRF: p.cfg.Admins.CSRFToken(sid), Tenant: t}
			} else if !errors.Is(err, admins.ErrSignedOut) {
				p.fail(w, r, nil, err)
				return
			}
		}
		if s == nil {
			if ok {
				// Only a cookie that was sent and no longer works is cleared: a cross-site
				// request arrives without it, and must not sign the administrator out.
				clearCookie(w)
			}
			if r.Method != http.MethodGet {
				p.render(w, r, http.StatusUnauthorized, "error", view{Title: "Signed out", Problems: []string{"Your session has ended. Sign in again; nothing was changed."}})
				return
			}
			http.Redirect(w, r, Prefix+"/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !p.sameOrigin(r) || !p.cfg.Admins.CheckCSRF(sid, r.PostFormValue("csrf")) {
				p.cfg.Logger.Warn("admin portal: refused a change without a valid CSRF token", "path", r.URL.Path, "admin", s.UserID)
				p.render(w, r, http.StatusForbidden, "error", view{Title: "Refused", Admin: s,
					Problems: []string{"This change did not come from a form of this portal, so it was refused and nothing was changed."}})
				return
			}
		}
		if err := h(w, r, s); err != nil {
			p.fail(w, r, s, err)
		}
	}
}

// sameOrigin reports whether a state-changing request comes from the portal's own pages: the
// browser's Sec-Fetch-Site says so, or else the Origin names the scheme and host the browser
// addressed (as a trusted proxy reports them). Requests with neither header come from no
// browser, and pass: they still need the CSRF token.
func (p *Portal) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		scheme, host := clientip.Origin(r, p.cfg.TrustedProxies)
		return err == nil && strings.EqualFold(u.Host, host) && strings.EqualFold(u.Scheme, scheme)
	}
	return true
}

// origin is the scheme and host the browser addressed, as a trusted proxy reports them.
func (p *Portal) origin(r *http.Request) (scheme, host string) {
	return clientip.Origin(r, p.cfg.TrustedProxies)
}

// secureContext reports whether the browser will keep the portal's Secure cookie (and offer
// passkeys): HTTPS, directly or through a trusted proxy, or a loopback host.
func (p *Portal) secureContext(r *http.Request) bool {
	return clientip.SecureContext(r, p.cfg.TrustedProxies)
}

func readCookie(r *http.Request) (tenantID, sessionID string, ok bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return "", "", false
	}
	tenantID, sessionID, ok = strings.Cut(c.Value, ".")
	return tenantID, sessionID, ok && model.ValidID(tenantID) && sessionID != ""
}

func (p *Portal) setCookie(w http.ResponseWriter, tenantID, sessionID string) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: tenantID + "." + sessionID, Path: "/",
		MaxAge: int(p.cfg.Admins.Options().MaxAge.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

func clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// attrs describes the browser to the audit log and the send limits: its address as the API
// resolves it (the socket's peer, or what a trusted proxy says) and its user agent, cut to
// what events keep.
func (p *Portal) attrs(r *http.Request) model.ClientAttributes {
	ua := strings.ToValidUTF8(strings.ReplaceAll(r.UserAgent(), "\x00", ""), "\uFFFD")
	if rs := []rune(ua); len(rs) > model.MaxUserAgentLen {
		ua = string(rs[:model.MaxUserAgentLen])
	}
	return model.ClientAttributes{IPAddress: clientip.Resolve(r, p.cfg.TrustedProxies), UserAgent: ua}
}

// record writes an admin change to the audit log; a failure is logged, as the API does.
func (p *Portal) record(r *http.Request, s *signedIn, action, userID string, details map[string]any) {
	if err := p.cfg.Admins.Record(r.Context(), s.Admin, action, userID, p.attrs(r), details); err != nil {
		p.cfg.Logger.Error("admin portal: audit record failed", "err", err, "action", action)
	}
}

// fail shows an error page fitting err.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, s *signedIn, err error) {
	fe := fault.As(err)
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		p.cfg.Logger.Error("admin portal error", "err", err, "path", r.URL.Path)
	}
	p.render(w, r, status, "error", view{Title: "Something went wrong", Admin: s, Problems: problems(fe)})
}

// problems lists what a fault says, for a page.
func problems(fe *fault.Error) []string {
	if len(fe.Details) > 0 {
		return fe.Details
	}
	return []string{fe.Message}
}
