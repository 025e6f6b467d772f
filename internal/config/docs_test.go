package config

import (
	"os"
	"strings"
	"testing"
)

// Every setting must be documented: an undocumented knob is one nobody can find.
func TestEverySettingIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	for _, s := range c.settings() {
		if !strings.Contains(string(doc), "`"+s.env+"`") {
			t.Errorf("%s is not in docs/configuration.md", s.env)
		}
		if !strings.Contains(string(doc), "`--"+s.flag+"`") {
			t.Errorf("--%s is not in docs/configuration.md", s.flag)
		}
	}
}
