package tenancy

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/token"
)

// Limits on free text and lists, generous for real use and small enough to keep records small.
const (
	maxNameLen        = 200
	maxDescriptionLen = 2000
	maxURILen         = 2048
	maxURIs           = 100
	maxResources      = 100
)

// Lifetime bounds in seconds, as Mosaic documents them for clients and resources.
const (
	minAccessTTL  = 60
	maxAccessTTL  = 86400
	minRefreshTTL = 300
	maxRefreshTTL = 31536000
	minSessionTTL = 60
	maxSessionTTL = 31536000
)

// problems collects validation messages so that a request learns of all of them at once.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// text checks a free-text field: trimmed length within max, no control characters, and
// present when required. It returns the trimmed value.
func (p *problems) text(field, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		p.addf("%s is required", field)
	case len(v) > max:
		p.addf("%s must be at most %d characters", field, max)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		p.addf("%s must not contain control characters", field)
	}
	return v
}

// description checks a description: like text, but line breaks are allowed.
func (p *problems) description(field, v string) string {
	v = strings.TrimSpace(v)
	if len(v) > maxDescriptionLen {
		p.addf("%s must be at most %d characters", field, maxDescriptionLen)
	}
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		p.addf("%s must be valid UTF-8 without NUL characters", field)
	}
	return v
}

// keptURI checks a URI that Latchkey keeps and shows but never follows (an application's
// logo, login URI): text of at most maxURILen characters, without control characters. Mosaic
// takes any string there, so neither is its form checked here: no integration is refused
// for a value Mosaic accepts. It returns the value trimmed.
func (p *problems) keptURI(field, v string) string {
	return p.text(field, v, maxURILen, false)
}

// names checks a list of short identifiers (service provider ids, say): each non-empty
// text, the list bounded; duplicates are dropped.
func (p *problems) names(field string, list []string) []string {
	if len(list) > maxURIs {
		p.addf("%s must hold at most %d entries", field, maxURIs)
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range dedupe(list) {
		out = append(out, p.text(field+" entry", v, maxNameLen, true))
	}
	return out
}

// clientType checks a client type: web or native.
func (p *problems) clientType(field, v string) string {
	if v != model.ClientTypeWeb && v != model.ClientTypeNative {
		p.addf("%s must be %q or %q", field, model.ClientTypeWeb, model.ClientTypeNative)
	}
	return v
}

// ttl checks a lifetime in seconds; zero means "the default" and is always allowed.
func (p *problems) ttl(field string, v, lo, hi int) {
	if v != 0 && (v < lo || v > hi) {
		p.addf("%s must be between %d and %d seconds", field, lo, hi)
	}
}

// redirectURIs checks that every URI is an absolute http or https URL without a fragment
// (RFC 6749 section 3.1.2), and returns them trimmed and without duplicates.
func (p *problems) redirectURIs(field string, uris []string) []string {
	if len(uris) > maxURIs {
		p.addf("%s must hold at most %d URIs", field, maxURIs)
		return nil
	}
	out := make([]string, 0, len(uris))
	seen := map[string]bool{}
	for _, raw := range uris {
		u := strings.TrimSpace(raw)
		if msg := redirectURIProblem(u); msg != "" {
			p.addf("%s: %q %s", field, raw, msg)
			continue
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

func redirectURIProblem(u string) string {
	if len(u) > maxURILen {
		return fmt.Sprintf("is longer than %d characters", maxURILen)
	}
	parsed, err := url.Parse(u)
	switch {
	case err != nil || !parsed.IsAbs():
		return "is not an absolute URL"
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return "must use http or https"
	case parsed.Host == "":
		return "has no host"
	case parsed.Fragment != "" || strings.Contains(u, "#"):
		return "must not have a fragment"
	}
	return ""
}

// resourceURI checks a resource indicator: an absolute URI without a fragment (RFC 8707
// section 2).
func (p *problems) resourceURI(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		p.addf("uri is required")
		return v
	}
	parsed, err := url.Parse(v)
	switch {
	case len(v) > maxURILen:
		p.addf("uri must be at most %d characters", maxURILen)
	case err != nil || !parsed.IsAbs():
		p.addf("uri must be an absolute URI")
	case strings.Contains(v, "#"):
		p.addf("uri must not have a fragment")
	}
	return v
}

// claims checks claim names against the claims a login may ask for (token.ClaimProblem: one
// Latchkey does not produce is refused, with the reason) and drops duplicates.
func (p *problems) claims(field string, names []string) []string {
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		if msg := token.ClaimProblem(n); msg != "" {
			p.addf("%s: %s", field, msg)
			continue
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// dedupe returns ids without duplicates, in their first order.
func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
