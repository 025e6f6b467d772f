package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape is one read of the admin listener's /metrics, parsed by Prometheus' own text parser
// (which refuses an exposition that does not follow the format or names a metric badly).
type scrape map[string]*dto.MetricFamily

func scrapeMetrics(t *testing.T, adminAddr string) scrape {
	t.Helper()
	res, err := processHTTP.Get("http://" + adminAddr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("scrape: status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "version=0.0.4") {
		t.Fatalf("scrape: Content-Type %q is not the text exposition format", ct)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("scrape: the exposition does not parse: %v", err)
	}
	return fams
}

// value is the value of the series of name whose labels include want (a counter's, a gauge's,
// or a histogram's count), 0 when there is none; it fails the test when several match.
func (s scrape) value(t *testing.T, name string, want map[string]string) float64 {
	t.Helper()
	fam := s[name]
	if fam == nil {
		return 0
	}
	var v float64
	found := 0
	for _, m := range fam.Metric {
		if !hasLabels(m, want) {
			continue
		}
		found++
		switch {
		case m.Counter != nil:
			v = m.Counter.GetValue()
		case m.Gauge != nil:
			v = m.Gauge.GetValue()
		case m.Histogram != nil:
			v = float64(m.Histogram.GetSampleCount())
		default:
			t.Fatalf("%s has a series of an unexpected type", name)
		}
	}
	if found > 1 {
		t.Fatalf("%d series of %s match %v", found, name, want)
	}
	return v
}

func (s scrape) has(name string, want map[string]string) bool {
	for _, m := range s[name].GetMetric() {
		if hasLabels(m, want) {
			return true
		}
	}
	return false
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.Label {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// Real logins over HTTP move the login, lockout and request counters by exactly what they
// did, a sent code moves the outbox's, and the scrape-time gauges are there.
func TestProcessMetrics(t *testing.T) {
	t.Parallel()
	st := sqliteStore(t)
	admin := freeLoopbackAddr(t)
	srv := startLatchkeyServer(t, st, "", map[string]string{"LATCHKEY_ADMIN_LISTEN": admin})
	boot := srv.waitBootstrap()
	tok := srv.token(boot.ClientID, boot.ClientSecret)
	for _, email := range []string{"ada@example.com", "bob@example.com"} {
		res := srv.do("POST", "/cis/v1/users", tok, map[string]any{"email": email, "credentials": map[string]any{"password": pwdGood, "force_replace": false}})
		wantStatus(t, res, 201, "")
	}
	login := func(email, pw string) response {
		return srv.do("POST", "/cis/v1/auth/password/authenticate", tok, map[string]any{"username": email, "username_type": "email", "password": pw})
	}
	const route = "/cis/v1/auth/password/authenticate"
	pwd := func(outcome string) map[string]string { return map[string]string{"method": "pwd", "outcome": outcome} }

	before := scrapeMetrics(t, admin)
	statuses := map[int]int{}
	// Two good logins.
	for range 2 {
		res := login("ada@example.com", pwdGood)
		wantStatus(t, res, 200, "")
		statuses[res.Status]++
	}
	// Five wrong passwords lock bob (the default budget): four failures, then the failure
	// that locks; his right password is then refused while locked.
	for i := range 5 {
		res := login("bob@example.com", "Wrong-Guess-0000")
		if i < 4 {
			wantStatus(t, res, 400, "auth_invalid_credentials")
		} else {
			wantStatus(t, res, 403, "auth_locked")
		}
		statuses[res.Status]++
	}
	res := login("bob@example.com", pwdGood)
	wantStatus(t, res, 403, "auth_locked")
	statuses[res.Status]++
	// A path with an id in it is counted under its pattern; a path no route has, as unmatched.
	ada := srv.do("GET", "/cis/v1/users/email/ada@example.com", tok, nil)
	wantStatus(t, ada, 200, "")
	wantStatus(t, srv.do("GET", "/no/such/route/x1", tok, nil), 404, "")
	srv.sendEmailOTP(tok, "ada@example.com")

	after := scrapeMetrics(t, admin)
	delta := func(name string, labels map[string]string) float64 {
		return after.value(t, name, labels) - before.value(t, name, labels)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"latchkey_logins_total", pwd("success"), 2},
		{"latchkey_logins_total", pwd("failure"), 4},
		{"latchkey_logins_total", pwd("locked"), 2},
		{"latchkey_lockouts_total", nil, 1},
		{"latchkey_http_requests_total", map[string]string{"method": "POST", "route": route, "status": "200"}, float64(statuses[200])},
		{"latchkey_http_requests_total", map[string]string{"method": "POST", "route": route, "status": "400"}, float64(statuses[400])},
		{"latchkey_http_requests_total", map[string]string{"method": "POST", "route": route, "status": "403"}, float64(statuses[403])},
		{"latchkey_http_request_duration_seconds", map[string]string{"method": "POST", "route": route}, 8},
		{"latchkey_http_requests_total", map[string]string{"method": "GET", "route": "/cis/v1/users/email/{email}", "status": "200"}, 1},
		{"latchkey_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "status": "404"}, 1},
		// Bob's refused right password is not hashed: refused before any hashing.
		{"latchkey_password_pool_wait_seconds", nil, 7},
	} {
		if got := delta(c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, m := range after["latchkey_http_requests_total"].GetMetric() {
		for _, l := range m.Label {
			if l.GetName() == "route" && (strings.Contains(l.GetValue(), "ada@") || strings.Contains(l.GetValue(), "x1")) {
				t.Errorf("a raw path is a route label: %q", l.GetValue())
			}
		}
	}

	// The code's message is sent by the outbox worker: one send and one delivery by email.
	email := map[string]string{"channel": "email"}
	var last scrape
	pollUntil(t, processWait, "the code's delivery in the metrics", func() bool {
		last = scrapeMetrics(t, admin)
		return last.value(t, "latchkey_outbox_deliveries_total", map[string]string{"channel": "email", "result": "delivered"}) >= 1
	})
	if got := last.value(t, "latchkey_outbox_sends_total", map[string]string{"channel": "email", "result": "ok"}); got != 1 {
		t.Errorf("email sends ok = %v, want 1", got)
	}
	if got := last.value(t, "latchkey_outbox_deliveries_total", map[string]string{"channel": "email", "result": "delivered"}); got != 1 {
		t.Errorf("email deliveries = %v, want 1", got)
	}
	if got := last.value(t, "latchkey_outbox_backlog_messages", email); got != 0 {
		t.Errorf("email backlog = %v after the delivery, want 0", got)
	}

	// Gauges read at scrape time.
	for _, g := range []struct {
		name   string
		labels map[string]string
	}{
		{"latchkey_outbox_backlog_messages", email},
		{"latchkey_outbox_oldest_message_age_seconds", email},
		{"latchkey_outbox_backlog_messages", map[string]string{"channel": "audit_webhook"}},
		{"latchkey_db_connections", map[string]string{"pool": "writer", "state": "in_use"}},
		{"latchkey_db_connections_max", map[string]string{"pool": "writer"}},
		{"latchkey_db_waits_total", map[string]string{"pool": "readers"}},
		{"latchkey_password_pool_queue_depth", nil},
		{"latchkey_password_pool_workers", nil},
		{"latchkey_signing_keys_cache_age_seconds", nil},
		{"latchkey_build_info", nil},
		{"go_goroutines", nil},
		{"process_cpu_seconds_total", nil},
	} {
		if !last.has(g.name, g.labels) {
			t.Errorf("no %s%v in the scrape", g.name, g.labels)
		}
	}
	if age := last.value(t, "latchkey_signing_keys_cache_age_seconds", nil); age < 0 || age > 30+processWait.Seconds() {
		t.Errorf("signing key cache age %v s", age)
	}
	if max := last.value(t, "latchkey_db_connections_max", map[string]string{"pool": "writer"}); max != 1 {
		t.Errorf("SQLite's writer pool may open %v connections, want 1", max)
	}
	workers := last.value(t, "latchkey_password_pool_workers", nil)
	if workers < 1 {
		t.Errorf("password pool workers = %v", workers)
	}
}
