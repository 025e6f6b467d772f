package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/httpapi"
	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/password"
)

// Metrics is the recorder of every package that counts.
var (
	_ httpapi.RequestRecorder    = (*metrics.Metrics)(nil)
	_ auth.Recorder              = (*metrics.Metrics)(nil)
	_ delivery.Recorder          = (*metrics.Metrics)(nil)
	_ func(time.Duration, error) = (*metrics.Metrics)(nil).PasswordWait
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func sources(outboxErr error) metrics.Sources {
	return metrics.Sources{
		Outbox: func(ctx context.Context) ([]metrics.Backlog, error) {
			if _, ok := ctx.Deadline(); !ok {
				return nil, errors.New("the backlog query has no deadline")
			}
			return []metrics.Backlog{
				{Kind: "email", Messages: 3, Oldest: now.Add(-90 * time.Second)},
				{Kind: "audit_webhook", Messages: 1, Oldest: now.Add(time.Second)}, // a clock a little ahead
			}, outboxErr
		},
		Channels: []string{"email", "sms", "audit_webhook"},
		DBPools: func() []metrics.DBPool {
			return []metrics.DBPool{{Name: "main", Stats: sql.DBStats{MaxOpenConnections: 25, InUse: 4, Idle: 6, WaitCount: 7, WaitDuration: 1500 * time.Millisecond}}}
		},
		PasswordPool: func() password.PoolStats { return password.PoolStats{Workers: 2, Running: 2, Waiting: 5, Room: 64} },
		KeyCacheAge:  func() (time.Duration, bool) { return 12 * time.Second, true },
		Build:        map[string]string{"version": "v1.2.3", "revision": "abc", "go_version": "go1.26"},
		Now:          func() time.Time { return now },
	}
}

func TestRecordersAndSources(t *testing.T) {
	m := metrics.New(nil)
	m.Watch(sources(nil))
	m.Request("POST", "/cis/v1/auth/password/authenticate", 200, 30*time.Millisecond)
	m.Request("POST", "/cis/v1/auth/password/authenticate", 200, 40*time.Millisecond)
	m.Request("POST", "/cis/v1/auth/password/authenticate", 400, time.Millisecond)
	m.Login("pwd", auth.OutcomeSuccess)
	m.Login("pwd", auth.OutcomeLocked)
	m.Lockout()
	m.Send("email", delivery.ResultOK, 20*time.Millisecond)
	m.Send("email", delivery.ResultError, time.Second)
	m.Settled("email", delivery.ResultDelivered)
	m.PasswordWait(3*time.Millisecond, nil)
	m.PasswordWait(0, fault.New(fault.Unavailable, password.CodeBusy, "busy"))

	want := `
# HELP latchkey_http_requests_total HTTP requests answered, by method, route pattern and status code.
# TYPE latchkey_http_requests_total counter
latchkey_http_requests_total{method="POST",route="/cis/v1/auth/password/authenticate",status="200"} 2
latchkey_http_requests_total{method="POST",route="/cis/v1/auth/password/authenticate",status="400"} 1
# HELP latchkey_logins_total Settled login attempts, by method (an amr value, session or password_reset) and outcome (success, failure, locked).
# TYPE latchkey_logins_total counter
latchkey_logins_total{method="pwd",outcome="locked"} 1
latchkey_logins_total{method="pwd",outcome="success"} 1
# HELP latchkey_lockouts_total Lockouts set: failures that spent their method's budget.
# TYPE latchkey_lockouts_total counter
latchkey_lockouts_total 1
# HELP latchkey_outbox_sends_total Outbox messages handed to their provider, by channel (message kind) and result (ok, error).
# TYPE latchkey_outbox_sends_total counter
latchkey_outbox_sends_total{channel="email",result="error"} 1
latchkey_outbox_sends_total{channel="email",result="ok"} 1
# HELP latchkey_outbox_deliveries_total Outbox messages finished, by channel and result (delivered, abandoned).
# TYPE latchkey_outbox_deliveries_total counter
latchkey_outbox_deliveries_total{channel="email",result="delivered"} 1
# HELP latchkey_password_pool_rejected_total Password hashing calls refused a worker (queue full, place taken, or request ended while waiting): answered 503.
# TYPE latchkey_password_pool_rejected_total counter
latchkey_password_pool_rejected_total 1
# HELP latchkey_outbox_backlog_messages Outbox messages owed (neither delivered nor given up), by channel.
# TYPE latchkey_outbox_backlog_messages gauge
latchkey_outbox_backlog_messages{channel="audit_webhook"} 1
latchkey_outbox_backlog_messages{channel="email"} 3
latchkey_outbox_backlog_messages{channel="sms"} 0
# HELP latchkey_outbox_oldest_message_age_seconds Age of the oldest owed outbox message, by channel; 0 when none is owed.
# TYPE latchkey_outbox_oldest_message_age_seconds gauge
latchkey_outbox_oldest_message_age_seconds{channel="audit_webhook"} 0
latchkey_outbox_oldest_message_age_seconds{channel="email"} 90
latchkey_outbox_oldest_message_age_seconds{channel="sms"} 0
# HELP latchkey_db_connections Database connections of a pool, by state (in_use, idle).
# TYPE latchkey_db_connections gauge
latchkey_db_connections{pool="main",state="idle"} 6
latchkey_db_connections{pool="main",state="in_use"} 4
# HELP latchkey_db_connections_max Connections a database pool may open (0: unbounded).
# TYPE latchkey_db_connections_max gauge
latchkey_db_connections_max{pool="main"} 25
# HELP latchkey_db_waits_total Times a query waited for a free connection of a pool.
# TYPE latchkey_db_waits_total counter
latchkey_db_waits_total{pool="main"} 7
# HELP latchkey_db_wait_seconds_total Total time queries waited for a free connection of a pool.
# TYPE latchkey_db_wait_seconds_total counter
latchkey_db_wait_seconds_total{pool="main"} 1.5
# HELP latchkey_password_pool_workers Workers of the password hashing pool.
# TYPE latchkey_password_pool_workers gauge
latchkey_password_pool_workers 2
# HELP latchkey_password_pool_running Password hashing calls running on a worker.
# TYPE latchkey_password_pool_running gauge
latchkey_password_pool_running 2
# HELP latchkey_password_pool_queue_depth Password hashing calls waiting for a worker.
# TYPE latchkey_password_pool_queue_depth gauge
latchkey_password_pool_queue_depth 5
# HELP latchkey_password_pool_queue_capacity Password hashing calls that may wait before calls are refused.
# TYPE latchkey_password_pool_queue_capacity gauge
latchkey_password_pool_queue_capacity 64
# HELP latchkey_signing_keys_cache_age_seconds Age of the node's in-memory copy of the signing keys; absent while it holds none.
# TYPE latchkey_signing_keys_cache_age_seconds gauge
latchkey_signing_keys_cache_age_seconds 12
# HELP latchkey_build_info Always 1, labelled with the running build.
# TYPE latchkey_build_info gauge
latchkey_build_info{go_version="go1.26",revision="abc",version="v1.2.3"} 1
`
	names := []string{"latchkey_http_requests_total", "latchkey_logins_total", "latchkey_lockouts_total",
		"latchkey_outbox_sends_total", "latchkey_outbox_deliveries_total", "latchkey_password_pool_rejected_total",
		"latchkey_outbox_backlog_messages", "latchkey_outbox_oldest_message_age_seconds", "latchkey_db_connections",
		"latchkey_db_connections_max", "latchkey_db_waits_total", "latchkey_db_wait_seconds_total",
		"latchkey_password_pool_workers", "latchkey_password_pool_running", "latchkey_password_pool_queue_depth",
		"latchkey_password_pool_queue_capacity", "latchkey_signing_keys_cache_age_seconds", "latchkey_build_info"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{
		"latchkey_http_request_duration_seconds": 1, "latchkey_outbox_send_duration_seconds": 1, "latchkey_password_pool_wait_seconds": 1,
	} {
		if got, err := testutil.GatherAndCount(m.Registry(), name); err != nil || got != n {
			t.Errorf("%s: %d series (%v), want %d", name, got, err, n)
		}
	}
}

// Every metric follows Prometheus' naming conventions (promlint: units, _total, help text).
func TestMetricsFollowTheConventions(t *testing.T) {
	m := metrics.New(nil)
	m.Watch(sources(nil))
	m.Request("GET", "/healthz", 200, time.Millisecond)
	m.Login("eotp", auth.OutcomeFailure)
	m.Send("sms", delivery.ResultOK, time.Millisecond)
	m.Settled("sms", delivery.ResultAbandoned)
	m.PasswordWait(time.Millisecond, nil)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "latchkey_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if !strings.HasPrefix(f.GetName(), "latchkey_") && !strings.HasPrefix(f.GetName(), "go_") && !strings.HasPrefix(f.GetName(), "process_") {
			t.Errorf("metric %s has no latchkey_ prefix", f.GetName())
		}
	}
}

// A backlog query that fails leaves the backlog out of that scrape; the rest is served.
func TestFailedSourceLeavesTheRestOfTheScrape(t *testing.T) {
	m := metrics.New(nil)
	m.Watch(sources(errors.New("database unreachable")))
	m.Lockout()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, body)
	}
	if !strings.Contains(string(body), "latchkey_lockouts_total 1") || !strings.Contains(string(body), "latchkey_password_pool_workers 2") {
		t.Fatalf("the scrape lost what did not fail:\n%s", body)
	}
	if strings.Contains(string(body), "latchkey_outbox_backlog_messages{") {
		t.Fatalf("a failed backlog query was reported:\n%s", body)
	}
}

// A node that holds no signing keys reports no cache age rather than a made-up one.
func TestNoKeyCacheAgeWithoutKeys(t *testing.T) {
	m := metrics.New(nil)
	src := sources(nil)
	src.KeyCacheAge = func() (time.Duration, bool) { return 0, false }
	m.Watch(src)
	if n, err := testutil.GatherAndCount(m.Registry(), "latchkey_signing_keys_cache_age_seconds"); err != nil || n != 0 {
		t.Fatalf("%d series (%v)", n, err)
	}
}
