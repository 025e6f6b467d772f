package directory

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

func TestNormalizeEmail(t *testing.T) {
	valid := map[string]string{
		"alice@example.com":                      "alice@example.com",
		"  Alice@Example.COM ":                   "alice@example.com",
		"first.last+tag@mail.example.org":        "first.last+tag@mail.example.org",
		"o'brien@x-y.example":                    "o'brien@x-y.example",
		"JOSÉ@Exämple.de":                        "josé@exämple.de",
		strings.Repeat("a", 64) + "@example.com": strings.Repeat("a", 64) + "@example.com",
	}
	for in, want := range valid {
		got, err := NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	invalid := []string{
		"", "   ", "alice", "alice@", "@example.com", "alice@example", "alice@@example.com",
		"a@b@example.com", "alice smith@example.com", "Alice <alice@example.com>", "<alice@example.com>",
		"alice@exa mple.com", "alice@.example.com", "alice@example..com", "alice@-example.com",
		"alice@example.com-", ".alice@example.com", "alice.@example.com", "al..ice@example.com",
		"alice@192.168.0.1", "alice@[192.168.0.1]", `"alice"@example.com`, "alice@exam_ple.com",
		"ali\x00ce@example.com", strings.Repeat("a", 65) + "@example.com",
		"a@" + strings.Repeat("b", 250) + ".com",
	}
	for _, in := range invalid {
		if got, err := NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", in, got)
		} else if err.Error() == "" || !strings.Contains(err.Error(), "email") {
			t.Errorf("NormalizeEmail(%q): error %q does not say what is wrong", in, err)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	valid := map[string]string{
		"+14155552671":    "+14155552671",
		" +447911123456 ": "+447911123456",
		"+33612345678":    "+33612345678",
		"+8613912345678":  "+8613912345678",
		"+390612345678":   "+390612345678", // an Italian number whose national part starts with 0
	}
	for in, want := range valid {
		got, err := NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	invalid := []string{
		"", "14155552671", "+1 415 555 2671", "+1-415-555-2671", "+1(415)5552671", "+0123456789",
		"+1234567", "+1234567890123456", "tel:+14155552671", "+1415555267a", "++14155552671",
		"+999123456789", // no such country code
		"+14155552",     // too short for the North American plan
	}
	for _, in := range invalid {
		if got, err := NormalizePhone(in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	valid := map[string]string{
		"alice":                 "alice",
		"  Alice ":              "alice",
		"ALICE.Smith_01":        "alice.smith_01",
		"alice@example.com":     "alice@example.com",
		"Ｂｏｂ":                   "bob", // full-width forms fold to their ASCII twins
		"Zoë":                   "zoë",
		strings.Repeat("x", 64): strings.Repeat("x", 64),
	}
	for in, want := range valid {
		got, err := NormalizeUsername(in)
		if err != nil || got != want {
			t.Errorf("NormalizeUsername(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  ", "alice smith", "tab\there", "zero\u200bwidth", strings.Repeat("x", 65)} {
		if got, err := NormalizeUsername(in); err == nil {
			t.Errorf("NormalizeUsername(%q) = %q, want an error", in, got)
		}
	}
}

func TestNormalizeIdentifier(t *testing.T) {
	id := model.NewID()
	cases := []struct {
		idType, in, want string
		ok               bool
	}{
		{model.IdentifierEmail, "Bob@Example.com", "bob@example.com", true},
		{model.IdentifierPhone, "+14155552671", "+14155552671", true},
		{model.IdentifierUsername, " Bob ", "bob", true},
		{model.IdentifierUserID, " " + id + " ", id, true},
		{model.IdentifierUserID, "not an id!", "", false},
		{model.IdentifierEmail, "bob", "", false},
		{model.IdentifierPhone, "4155552671", "", false},
		{"nickname", "bob", "", false},
	}
	for _, c := range cases {
		got, err := NormalizeIdentifier(c.idType, c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("NormalizeIdentifier(%q, %q) = %q, %v; want %q, ok=%v", c.idType, c.in, got, err, c.want, c.ok)
		}
	}
}
