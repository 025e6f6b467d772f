package e2e

import (
	"net/http"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/latchkey/latchkey/internal/tracing/tracingtest"
)

// A password login traced into a real OTLP receiver: the request's span is the root of its
// trace, the login's steps are its children, the login's transaction is the child of the step
// that runs it, and the trace id is in the request's log lines.
func TestProcessTracing(t *testing.T) {
	t.Parallel()
	rcv := tracingtest.Start(t)
	srv := startLatchkeyServer(t, sqliteStore(t), "", map[string]string{
		"LATCHKEY_OTLP_ENDPOINT":  rcv.URL(),
		"OTEL_BSP_SCHEDULE_DELAY": "50", // milliseconds: send batches at once
	})
	boot := srv.waitBootstrap()
	tok := srv.token(boot.ClientID, boot.ClientSecret)
	res := srv.do("POST", "/cis/v1/users", tok, map[string]any{"email": "ada@example.com", "credentials": map[string]any{"password": pwdGood, "force_replace": false}})
	wantStatus(t, res, 201, "")
	login := srv.do("POST", "/cis/v1/auth/password/authenticate", tok, map[string]any{"username": "ada@example.com", "username_type": "email", "password": pwdGood})
	wantStatus(t, login, 200, "")

	traceID := srv.requestLogField(t, login.Header.Get("X-Request-Id"), "request", "trace_id")
	if len(traceID) != 32 {
		t.Fatalf("the login's log line has trace_id %q", traceID)
	}
	const route = "POST /cis/v1/auth/password/authenticate"
	var spans []tracingtest.Span
	pollUntil(t, processWait, "the login's spans at the receiver", func() bool {
		spans = rcv.Trace(traceID)
		return len(tracingtest.Named(spans, route)) == 1 && len(tracingtest.Named(spans, "auth.sign")) == 1
	})
	if bad := rcv.Problems(); len(bad) > 0 {
		t.Fatalf("the receiver could not read exports: %v", bad)
	}
	root := tracingtest.Named(spans, route)[0]
	if root.ParentID != "" || root.Kind != tracepb.Span_SPAN_KIND_SERVER || root.Failed {
		t.Fatalf("request span: %+v", root)
	}
	if root.Attrs["http.route"] != "/cis/v1/auth/password/authenticate" || root.Attrs["http.response.status_code"] != "200" || root.Service != "latchkey" {
		t.Fatalf("request span attributes %v, service %q", root.Attrs, root.Service)
	}
	// The login's steps are children of the request.
	children := map[string]tracingtest.Span{}
	for _, s := range tracingtest.Children(spans, root.SpanID) {
		children[s.Name] = s
	}
	for _, step := range []string{"auth.caller", "password.verify", "auth.settle_attempt", "auth.record_login", "auth.record", "auth.sign"} {
		if _, ok := children[step]; !ok {
			t.Errorf("no %s span under the request; its children: %v", step, names(tracingtest.Children(spans, root.SpanID)))
		}
	}
	// The login's one write transaction is the child of the step that settles the attempt.
	settle := children["auth.settle_attempt"]
	txs := tracingtest.Named(tracingtest.Children(spans, settle.SpanID), "db.transaction")
	if len(txs) != 1 || txs[0].Kind != tracepb.Span_SPAN_KIND_CLIENT || txs[0].Attrs["db.system"] != "sqlite" || txs[0].Failed {
		t.Fatalf("transactions under auth.settle_attempt: %+v", txs)
	}
	// Every span of the trace hangs from the request's.
	byID := map[string]tracingtest.Span{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	for _, s := range spans {
		for p := s; p.SpanID != root.SpanID; p = byID[p.ParentID] {
			if _, ok := byID[p.ParentID]; !ok {
				t.Fatalf("span %s does not descend from the request's span", s.Name)
			}
		}
	}
	for _, s := range spans {
		for k, v := range s.Attrs {
			if strings.Contains(v, "ada@") || strings.Contains(v, pwdGood) {
				t.Errorf("span %s carries %s=%q", s.Name, k, v)
			}
		}
	}

	// A wrong password: its "request failed" line carries the trace id and the request id once.
	bad := srv.do("POST", "/cis/v1/auth/password/authenticate", tok, map[string]any{"username": "ada@example.com", "username_type": "email", "password": "Wrong-Guess-0000"})
	wantStatus(t, bad, 400, "auth_invalid_credentials")
	badTrace := srv.requestLogField(t, bad.Header.Get("X-Request-Id"), "request failed", "trace_id")
	if len(badTrace) != 32 || badTrace == traceID {
		t.Fatalf("the failure's log line has trace_id %q", badTrace)
	}
	for _, line := range srv.stderr.lines() {
		if strings.Contains(line, `"request failed"`) && strings.Count(line, `"request_id"`) != 1 {
			t.Errorf("request_id is not there exactly once: %s", line)
		}
	}

	// A caller's traceparent continues the caller's trace.
	req, err := http.NewRequest("GET", srv.url+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	health := srv.send(req)
	if got := srv.requestLogField(t, health.Header.Get("X-Request-Id"), "request", "trace_id"); got != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("a request with a traceparent logged trace_id %q", got)
	}
	pollUntil(t, processWait, "the continued trace at the receiver", func() bool {
		return len(rcv.Trace("0af7651916cd43dd8448eb211c80319c")) == 1
	})
	if s := rcv.Trace("0af7651916cd43dd8448eb211c80319c")[0]; s.ParentID != "b7ad6b7169203331" || s.Name != "GET /healthz" {
		t.Fatalf("continued span: %+v", s)
	}
}

func names(spans []tracingtest.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// requestLogField returns a field of the log line msg of the request with id requestID,
// failing the test when there is no such line.
func (p *latchkeyProcess) requestLogField(t *testing.T, requestID, msg, field string) string {
	t.Helper()
	if requestID == "" {
		t.Fatal("the answer has no X-Request-Id")
	}
	var found string
	pollUntil(t, processWait, "the "+msg+" log line of request "+requestID, func() bool {
		for _, r := range p.logRecords() {
			if r["request_id"] == requestID && r["msg"] == msg {
				found, _ = r[field].(string)
				return true
			}
		}
		return false
	})
	return found
}
