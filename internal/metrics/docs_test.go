package metrics_test

import (
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/metrics"
)

// docRow matches a metric's row in docs/operations.md's table.
var docRow = regexp.MustCompile("(?m)^\\| `(latchkey_[a-z_]+)` \\|")

// Every metric is documented in docs/operations.md, and every documented metric exists.
func TestEveryMetricIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range docRow.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	m := metrics.New(nil)
	m.Watch(sources(nil))
	// Every vector gets a series, so that every family is gathered.
	m.Request("GET", "/healthz", 200, time.Millisecond)
	m.Login("pwd", auth.OutcomeSuccess)
	m.Send("email", delivery.ResultOK, time.Millisecond)
	m.Settled("email", delivery.ResultDelivered)
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	exists := map[string]bool{}
	for _, f := range fams {
		name := f.GetName()
		if len(name) < 9 || name[:9] != "latchkey_" {
			continue
		}
		exists[name] = true
		if !documented[name] {
			t.Errorf("%s is not in docs/operations.md's table of metrics", name)
		}
	}
	for name := range documented {
		if !exists[name] {
			t.Errorf("docs/operations.md lists %s, which does not exist", name)
		}
	}
}
