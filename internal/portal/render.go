package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// pages are the parsed templates, one per page, each with the shared layout.
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"lines": func(list []string) string { return strings.Join(list, "\n") },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
	// detail reads one string of an audit event's details ("" when absent).
	"detail": func(raw json.RawMessage, key string) string {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		v, _ := m[key].(string)
		return v
	},
	// dict builds a template's data from pairs of names and values.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	// methodName names a login method (an AMR value) for people.
	"methodName": func(amr string) string {
		if n, ok := methodNames[amr]; ok {
			return n
		}
		return amr
	},
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
}

func parsePages() (pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// view is what every page gets.
type view struct {
	Title    string
	Admin    *signedIn
	Nav      string   // the section of the navigation that is current
	Notice   string   // a confirmation of what was just done
	Problems []string // what was wrong with the request
	Data     any
}

// notices are the confirmations a redirect may ask for (?done=...): fixed texts, so that a
// link cannot make the portal say anything else.
var notices = map[string]string{
	"app-created":    "Application created.",
	"app-saved":      "Application saved.",
	"app-deleted":    "Application deleted.",
	"client-saved":   "Client saved.",
	"client-deleted": "Client deleted.",
	"prefs-saved":    "Login preferences saved.",
	"signed-out":     "You have signed out.",
	"session-ended":  "Session revoked.",
	"user-disabled":  "User disabled: they can no longer sign in.",
	"user-enabled":   "User enabled.",
	// The overview, keys, settings and user pages'.
	"keys-rotated":     "Signing keys rotated: the next key now signs.",
	"settings-saved":   "Settings saved.",
	"webhook-off":      "Audit webhook turned off.",
	"user-created":     "User created.",
	"user-saved":       "User saved.",
	"password-set":     "Temporary password set: the user must choose a new one at their next login.",
	"password-reset":   "Password reset to a temporary one: the user must choose a new one at their next login. Their sessions have ended.",
	"totp-removed":     "Authenticator app removed.",
	"passkey-removed":  "Passkey removed.",
	"address-verified": "Marked as verified.",
	// The account and invitation pages'.
	"own-password-set": "Password set.",
	"totp-added":       "Authenticator app added.",
	"methods-saved":    "Sign-in methods saved.",
	"passkey-added":    "Passkey added.",
	"invite-sent":      "Invitation sent.",
	"invite-revoked":   "Invitation revoked: its link no longer works.",
	"invite-accepted":  "Welcome: you are an administrator. Add a passkey, or a password with an authenticator app, to sign in next time.",
}

// render writes a page. It renders into a buffer first, so that a template error becomes a
// clean 500 rather than half a page.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := p.pages[name]
	if !ok {
		p.cfg.Logger.Error("admin portal: no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.Notice == "" {
		v.Notice = notices[r.URL.Query().Get("done")]
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		p.cfg.Logger.Error("admin portal: render failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// splitLines reads a textarea of one value per line, dropping blank lines.
func splitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
