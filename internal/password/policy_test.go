package password

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

func TestPolicyLevels(t *testing.T) {
	ada := Subject{Username: "adalove", Email: "ada.lovelace@example.com"}
	cases := []struct {
		level int
		pw    string
		code  string // "" passes
		want  string // a fragment of the message, when it fails
	}{
		{1, "zebra", "", ""},
		{1, "zebr", CodeWeak, "at least 5 characters"},
		{1, "qwerty", CodeBreached, ""},
		{2, "zebracake", CodeWeak, "letter and one digit"},
		{2, "zebra7cake", "", ""},
		{2, "73194", CodeWeak, "letter and one digit"},
		{3, "zebra7cake", CodeWeak, "upper-case and lower-case"},
		{3, "Zebra7cake", "", ""},
		{4, "Zebra7cake", CodeWeak, "symbol"},
		{4, "Zebra7 cake", "", ""},
		{4, "Zebra7-cake", "", ""},
		{5, "Zebra7-cake", "", ""},
		{5, "my-AdaLove-7Q", CodeWeak, "username"},
		{5, "Xada.lovelace9!", CodeWeak, "email address"},
		{5, "P@ssw0rd123!", CodeBreached, ""},
		{5, "Qwerty1234!", CodeBreached, ""},
	}
	for _, c := range cases {
		pol := Policy{Complexity: c.level, MinLength: 5}
		err := pol.Check(c.pw, ada)
		if c.code == "" {
			if err != nil {
				t.Errorf("level %d %q: %v, want accepted", c.level, c.pw, err)
			}
			continue
		}
		fe := fault.As(err)
		if err == nil || fe.Code != c.code || fe.Kind != fault.Invalid {
			t.Errorf("level %d %q: %v, want %s", c.level, c.pw, err, c.code)
			continue
		}
		all := fe.Message + " " + strings.Join(fe.Details, " ")
		if !strings.Contains(all, c.want) {
			t.Errorf("level %d %q: %q does not mention %q", c.level, c.pw, all, c.want)
		}
	}
}

func TestPolicyListsEveryProblem(t *testing.T) {
	err := Policy{Complexity: 5, MinLength: 14}.Check("adalove", Subject{Username: "adalove"})
	fe := fault.As(err)
	if fe.Code != CodeWeak || len(fe.Details) != 5 {
		t.Fatalf("err = %v (details %q), want five problems", err, fe.Details)
	}
}

func TestPolicyForm(t *testing.T) {
	lenient := Policy{Complexity: 5, MinLength: 14, Lenient: true}
	if err := lenient.Check("abc", Subject{}); err != nil {
		t.Errorf("lenient policy refused a short password: %v", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", MaxBytes+1), "bad\x00byte", "tab\there", string([]byte{0xff, 'a'})} {
		err := lenient.Check(bad, Subject{})
		if fe := fault.As(err); err == nil || fe.Code != fault.CodeInvalidInput {
			t.Errorf("%q: %v, want system_invalid_input even when lenient", bad, err)
		}
	}
	long := strings.Repeat("Ab1-", MaxBytes/4)
	if err := (Policy{Complexity: 5, MinLength: 14}).Check(long, Subject{}); err != nil {
		t.Errorf("a %d-byte password: %v", len(long), err)
	}
}

func TestMinLengthCountsCharacters(t *testing.T) {
	// Five characters, fifteen bytes.
	if err := (Policy{Complexity: 1, MinLength: 5}).Check("ñandúé", Subject{}); err != nil {
		t.Errorf("six characters refused: %v", err)
	}
	if err := (Policy{Complexity: 1, MinLength: 7}).Check("ñandúé", Subject{}); err == nil {
		t.Error("six characters accepted for a minimum of seven")
	}
}
