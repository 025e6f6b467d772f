package directory

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/secure/precis"

	"github.com/latchkey/latchkey/internal/model"
)

// Length limits of identifiers. 254 is the longest address SMTP can carry (RFC 5321 path
// limit less the angle brackets); 64 the longest local part.
const (
	maxEmailLen     = 254
	maxLocalPartLen = 64
	maxUsernameLen  = 64
)

// NormalizeEmail returns the canonical form of an email address, or an error whose text can be
// shown to the caller.
//
// Both the domain and the local part are lower-cased. RFC 5321 lets a server treat local parts
// case-sensitively, but practically no provider does, and users type their address with
// whatever capitals they like; treating Alice@x and alice@x as two accounts would let one
// person hold two users and lock others out of sign-in by a capital letter.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("email address is empty")
	case utf8.RuneCountInString(s) > maxEmailLen:
		return "", fmt.Errorf("email address is longer than %d characters", maxEmailLen)
	case strings.ContainsFunc(s, unicode.IsSpace):
		return "", errors.New("email address must not contain spaces")
	case strings.ContainsAny(s, "<>\"(),:;[]\\"):
		return "", errors.New("email address must be a bare address such as alice@example.com, without a name, quotes or brackets")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", errors.New("email address contains control characters")
	}
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		return "", errors.New("email address must contain an @")
	case strings.Contains(domain, "@"):
		return "", errors.New("email address must contain only one @")
	case local == "":
		return "", errors.New("email address has nothing before the @")
	case utf8.RuneCountInString(local) > maxLocalPartLen:
		return "", fmt.Errorf("email address has more than %d characters before the @", maxLocalPartLen)
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return "", errors.New("email address has a misplaced dot before the @")
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	return strings.ToLower(local) + "@" + strings.ToLower(domain), nil
}

// checkDomain accepts host names of dot-separated labels of letters, digits and inner hyphens,
// with at least two labels and a top-level label that is not all digits (so no IP addresses).
func checkDomain(domain string) error {
	if !strings.Contains(domain, ".") {
		return errors.New("email address domain must contain a dot, as in example.com")
	}
	labels := strings.Split(domain, ".")
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") || len(l) > 63 {
			return errors.New("email address has an invalid domain")
		}
		if strings.ContainsFunc(l, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) {
			return errors.New("email address domain may contain only letters, digits, hyphens and dots")
		}
	}
	if !strings.ContainsFunc(labels[len(labels)-1], unicode.IsLetter) {
		return errors.New("email address has an invalid domain")
	}
	return nil
}

// NormalizePhone checks that s is a possible phone number in strict E.164 form (a plus sign and
// 8 to 15 digits, the first not zero, with no spaces or punctuation) and returns it.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	const format = "phone number must be in E.164 format: a + followed by 8 to 15 digits, such as +14155552671"
	if !isE164(s) {
		return "", errors.New(format)
	}
	num, err := phonenumbers.Parse(s, "")
	// A number dialable only from inside its own area (IS_POSSIBLE_LOCAL_ONLY) cannot receive
	// an SMS from abroad, so it is refused with the impossible ones.
	if err != nil || phonenumbers.IsPossibleNumberWithReason(num) != phonenumbers.IS_POSSIBLE {
		return "", errors.New("phone number is not a possible number for its country code")
	}
	out := phonenumbers.Format(num, phonenumbers.E164)
	if out != s {
		// The library would have reinterpreted the digits (an Italian leading zero, say):
		// the caller meant something other than what we would store.
		return "", errors.New(format)
	}
	return out, nil
}

func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeUsername returns the canonical form of a username: trimmed, then mapped by the
// PRECIS UsernameCaseMapped profile (RFC 8265), which lower-cases it, folds full-width forms
// and rejects spaces and invisible or confusable characters. Usernames are case-insensitive so
// that "Alice" and "alice" cannot be two people.
func NormalizeUsername(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("username is empty")
	}
	out, err := precis.UsernameCaseMapped.String(s)
	if err != nil {
		return "", errors.New("username may contain only letters, digits and printable symbols, without spaces")
	}
	if n := utf8.RuneCountInString(out); n > maxUsernameLen {
		return "", fmt.Errorf("username is longer than %d characters", maxUsernameLen)
	}
	return out, nil
}

// NormalizeIdentifier normalises value as an identifier of the given type: one of
// model.IdentifierEmail, IdentifierPhone, IdentifierUserID and IdentifierUsername.
func NormalizeIdentifier(idType, value string) (string, error) {
	switch idType {
	case model.IdentifierEmail:
		return NormalizeEmail(value)
	case model.IdentifierPhone:
		return NormalizePhone(value)
	case model.IdentifierUsername:
		return NormalizeUsername(value)
	case model.IdentifierUserID:
		v := strings.TrimSpace(value)
		if !model.ValidID(v) {
			return "", errors.New("user_id is not a valid user id")
		}
		return v, nil
	default:
		return "", fmt.Errorf("identifier_type must be one of email, phone_number, user_id and username, not %q", clip(idType))
	}
}

// clip shortens caller input quoted back in a message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
