package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/model"
)

// Limits on profile fields. They are generous; they exist so that one user cannot grow without
// bound and so that every value fits comfortably in an ID token claim.
const (
	maxTextLen       = 256       // names, address lines, external user id
	maxURLLen        = 2048      // picture
	maxSecondary     = 20        // secondary emails, secondary phone numbers
	maxCustomDataLen = 64 * 1024 // bytes of custom_data or custom_app_data
)

// languageTag is the shape of a BCP 47 tag such as "en", "pt-BR" or "zh-Hant-TW".
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// checker normalises profile fields and collects every problem, so that a caller learns all
// that is wrong with a request at once.
type checker struct {
	now      time.Time
	problems []string
}

func (k *checker) add(format string, args ...any) {
	k.problems = append(k.problems, fmt.Sprintf(format, args...))
}

// norm applies f to a non-empty v, recording its error against field. Empty stays empty.
func (k *checker) norm(field, v string, f func(string) (string, error)) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	out, err := f(v)
	if err != nil {
		k.add("%s: %v", field, err)
	}
	return out
}

func (k *checker) email(field, v string) string    { return k.norm(field, v, NormalizeEmail) }
func (k *checker) phone(field, v string) string    { return k.norm(field, v, NormalizePhone) }
func (k *checker) username(field, v string) string { return k.norm(field, v, NormalizeUsername) }
func (k *checker) externalID(v string) string {
	return k.norm("external_user_id", v, normalizeExternalID)
}

// list normalises each element of vs with f, dropping duplicates and keeping the first order.
func (k *checker) list(field string, vs []string, f func(string, string) string) []string {
	if len(vs) > maxSecondary {
		k.add("%s: at most %d entries are allowed", field, maxSecondary)
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for i, v := range vs {
		name := fmt.Sprintf("%s[%d]", field, i)
		if strings.TrimSpace(v) == "" {
			k.add("%s: must not be empty", name)
			continue
		}
		n := f(name, v)
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// text trims v and checks its length and that it holds no control characters.
func (k *checker) text(field, v string) string {
	v = strings.TrimSpace(v)
	switch {
	case utf8.RuneCountInString(v) > maxTextLen:
		k.add("%s: must be at most %d characters", field, maxTextLen)
	case strings.ContainsFunc(v, unicode.IsControl):
		k.add("%s: must not contain control characters", field)
	}
	return v
}

func (k *checker) name(n model.Name) model.Name {
	return model.Name{
		Title:      k.text("name.title", n.Title),
		FirstName:  k.text("name.first_name", n.FirstName),
		LastName:   k.text("name.last_name", n.LastName),
		MiddleName: k.text("name.middle_name", n.MiddleName),
	}
}

func (k *checker) address(a model.Address) model.Address {
	out := model.Address{
		Country:       k.text("address.country", a.Country),
		State:         k.text("address.state", a.State),
		City:          k.text("address.city", a.City),
		StreetAddress: k.text("address.street_address", a.StreetAddress),
		PostalCode:    k.text("address.postal_code", a.PostalCode),
	}
	out.Type = k.oneOf("address.type", a.Type, "Home", "Work", "Other")
	return out
}

// oneOf returns the allowed value equal to v without regard to case, recording a problem when
// there is none. Empty stays empty.
func (k *checker) oneOf(field, v string, allowed ...string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	k.add("%s: must be one of %s", field, strings.Join(allowed, ", "))
	return v
}

func (k *checker) status(v string) string {
	return k.oneOf("status", v, model.UserActive, model.UserDisabled, model.UserPending)
}

// birthday reads a birthday in Mosaic's declared form, an ISO 8601 date-time (whose date as
// written is taken), or as a date, YYYY-MM-DD, and returns the date.
func (k *checker) birthday(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	date, ok := parseDate(v)
	switch {
	case !ok:
		k.add("birthday: must be a date such as 1990-05-17 or a date-time such as 1990-05-17T00:00:00.000Z")
		return v
	case date > k.now.Format(time.DateOnly):
		k.add("birthday: must not be in the future")
	}
	return date
}

// account checks an application's own identifier of a user (external_account_id).
func (k *checker) account(v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	return k.norm("external_account_id", v, func(s string) (string, error) {
		s, err := normalizeExternalID(s)
		if err != nil {
			err = errors.New(strings.Replace(err.Error(), "external user id", "external account id", 1))
		}
		return s, err
	})
}

// ownData refuses what only an application keeps about a user (custom_app_data,
// external_account_id) when a management caller, which has no application of end users,
// sends it.
func (k *checker) ownData(c model.Caller, data, account bool) {
	if !c.Admin {
		return
	}
	if data {
		k.add("custom_app_data: is an application's own data and needs an application's client token")
	}
	if account {
		k.add("external_account_id: is an application's own identifier and needs an application's client token")
	}
}

func (k *checker) picture(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case len(v) > maxURLLen:
		k.add("picture: must be at most %d characters", maxURLLen)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		k.add("picture: must be an absolute http or https URL")
	}
	return v
}

func (k *checker) language(v string) string {
	v = strings.TrimSpace(v)
	if v != "" && (len(v) > 35 || !languageTag.MatchString(v)) {
		k.add("language: must be a language tag such as en or pt-BR")
	}
	return v
}

// object checks that raw is a JSON object and returns it compacted; absent, null and {} give
// nil.
func (k *checker) object(field string, raw json.RawMessage) json.RawMessage {
	if absent(raw) {
		return nil
	}
	if len(raw) > maxCustomDataLen {
		k.add("%s: must be at most %d bytes", field, maxCustomDataLen)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		k.add("%s: must be a JSON object", field)
		return nil
	}
	if buf.String() == "{}" {
		return nil // stored as no data, as an object emptied by a merge is
	}
	return buf.Bytes()
}

// absent reports whether a JSON value was not given, or given as null.
func absent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func normalizeExternalID(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", fmt.Errorf("external user id is empty")
	case utf8.RuneCountInString(v) > maxTextLen:
		return "", fmt.Errorf("external user id is longer than %d characters", maxTextLen)
	case strings.ContainsFunc(v, unicode.IsControl):
		return "", fmt.Errorf("external user id contains control characters")
	}
	return v, nil
}

// mergeObject shallow-merges patch into base, as Mosaic merges custom data: each top-level key
// of patch replaces the same key of base, and a key set to null is removed. An empty result is
// nil. Both arguments are JSON objects or nil.
func mergeObject(base, patch json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if !absent(base) {
		if err := json.Unmarshal(base, &m); err != nil {
			return nil, fmt.Errorf("decode stored object: %w", err)
		}
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("decode patch: %w", err)
	}
	for key, v := range p {
		if absent(v) {
			delete(m, key)
			continue
		}
		m[key] = v
	}
	if len(m) == 0 {
		return nil, nil
	}
	return json.Marshal(m) // map keys are sorted: the stored form is stable
}
