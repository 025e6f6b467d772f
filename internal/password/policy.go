package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// Error codes of password rules, Mosaic's where it has them.
const (
	CodeWeak              = "auth_password_weak"
	CodeBreached          = "auth_password_breached"
	CodeRecentlyUsed      = "auth_password_recently_used"
	CodeAlreadyConfigured = "auth_password_already_configured"
	CodeNotConfigured     = "auth_password_not_configured"
	CodeExpired           = "auth_password_expired"
	CodeTemporary         = "auth_password_temporary"
)

// Complexity levels; each includes the ones below it.
const (
	LevelLength       = 1 // the minimum length only
	LevelLetterDigit  = 2 // at least one letter and one digit
	LevelMixedCase    = 3 // an upper-case and a lower-case letter
	LevelSymbol       = 4 // a character that is neither a letter nor a digit
	LevelNotPersonal  = 5 // nothing of the username or the email address's local part
	minPersonalLength = 3 // shorter names would forbid too much ("al" in "always")
)

// MaxBytes bounds a password, so that the cost of hashing one is bounded too.
const MaxBytes = 256

// Policy is what a new password must satisfy.
type Policy struct {
	Complexity int // a Level* value
	MinLength  int // characters
	// Lenient skips the complexity rules, the minimum length and the weak list: Mosaic's
	// enforce_complexity=false, an administrator's explicit choice. The length bound and
	// well-formedness always apply.
	Lenient bool
}

// PolicyFor returns the policy of an application's preferences (normalised or not).
func PolicyFor(p model.PasswordPreferences) Policy {
	return Policy{Complexity: p.PasswordComplexity, MinLength: p.PasswordMinLength}
}

// Subject is whom a password is for, for the personal-information rule.
type Subject struct {
	Username string
	Email    string
}

// CheckForm checks what every password must be, whatever the policy: not empty, valid UTF-8
// without control characters, and at most MaxBytes long.
func CheckForm(field, password string) error {
	switch {
	case password == "":
		return fault.Validation(field + " is required")
	case len(password) > MaxBytes:
		return fault.Validation(fmt.Sprintf("%s must be at most %d bytes", field, MaxBytes))
	case !utf8.ValidString(password):
		return fault.Validation(field + " must be valid UTF-8")
	case strings.ContainsFunc(password, unicode.IsControl):
		return fault.Validation(field + " must not contain control characters")
	}
	return nil
}

// Check applies the policy to a new password. A password that breaks rules is
// auth_password_weak, listing every rule it breaks; one that keeps them but is on the weak
// list is auth_password_breached.
func (p Policy) Check(password string, who Subject) error {
	if err := CheckForm("password", password); err != nil {
		return err
	}
	if p.Lenient {
		return nil
	}
	var problems []string
	if n := utf8.RuneCountInString(password); n < p.MinLength {
		problems = append(problems, fmt.Sprintf("password must be at least %d characters long", p.MinLength))
	}
	var letter, digit, upper, lower, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsLetter(r):
			letter = true
			upper = upper || unicode.IsUpper(r)
			lower = lower || unicode.IsLower(r)
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	if p.Complexity >= LevelLetterDigit && !(letter && digit) {
		problems = append(problems, "password must contain at least one letter and one digit")
	}
	if p.Complexity >= LevelMixedCase && !(upper && lower) {
		problems = append(problems, "password must contain both upper-case and lower-case letters")
	}
	if p.Complexity >= LevelSymbol && !symbol {
		problems = append(problems, "password must contain a symbol: a character that is neither a letter nor a digit")
	}
	if p.Complexity >= LevelNotPersonal {
		problems = append(problems, personalProblems(password, who)...)
	}
	if len(problems) > 0 {
		return weakError(problems)
	}
	if Breached(password) {
		return fault.New(fault.Invalid, CodeBreached, "password is too common: it is on a list of weak passwords that attackers try first")
	}
	return nil
}

func personalProblems(password string, who Subject) []string {
	lower := strings.ToLower(password)
	var out []string
	if u := strings.ToLower(who.Username); len(u) >= minPersonalLength && strings.Contains(lower, u) {
		out = append(out, "password must not contain the username")
	}
	local, _, _ := strings.Cut(strings.ToLower(who.Email), "@")
	if len(local) >= minPersonalLength && strings.Contains(lower, local) {
		out = append(out, "password must not contain the email address")
	}
	return out
}

func weakError(problems []string) *fault.Error {
	e := fault.New(fault.Invalid, CodeWeak, "%s", problems[0])
	if len(problems) > 1 {
		e.Message = "password does not meet the password policy"
		e.Details = problems
	}
	return e
}
