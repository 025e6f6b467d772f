package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/latchkey/latchkey/internal/observe"
)

// fakeTracer records the spans the middleware starts.
type fakeTracer struct {
	mu    sync.Mutex
	spans []*fakeSpan
}

type fakeSpan struct {
	name   string
	kind   observe.Kind
	parent trace.SpanContext // the remote parent the context carried
	attrs  map[string]any
	ended  bool
	err    error
}

const fakeTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

func (f *fakeTracer) Start(ctx context.Context, name string, kind observe.Kind) (context.Context, observe.Span) {
	s := &fakeSpan{name: name, kind: kind, parent: trace.SpanContextFromContext(ctx), attrs: map[string]any{}}
	f.mu.Lock()
	f.spans = append(f.spans, s)
	f.mu.Unlock()
	return ctx, s
}

func (s *fakeSpan) SetAttr(k string, v any) { s.attrs[k] = v }
func (s *fakeSpan) SetName(n string)        { s.name = n }
func (s *fakeSpan) End(err error)           { s.ended, s.err = true, err }
func (s *fakeSpan) TraceID() string         { return fakeTraceID }

type recorded struct {
	method, route string
	status        int
}

type fakeRequests struct {
	mu  sync.Mutex
	got []recorded
}

func (f *fakeRequests) Request(method, route string, status int, elapsed time.Duration) {
	if elapsed <= 0 {
		panic("no duration")
	}
	f.mu.Lock()
	f.got = append(f.got, recorded{method, route, status})
	f.mu.Unlock()
}

func newObservedServer(tr observe.Tracer, rec RequestRecorder) (http.Handler, *bytes.Buffer) {
	var logs bytes.Buffer
	srv := New(Config{
		Logger:   slog.New(slog.NewJSONHandler(&logs, nil)),
		Ready:    func(context.Context) error { return errors.New("database down") },
		Tracer:   tr,
		Requests: rec,
	})
	return srv.Handler(), &logs
}

// Requests are labelled by the pattern of the route that served them (never their path), a
// method outside the standard ones as OTHER, and requests no route has as unmatched.
func TestMiddlewareLabelsRequestsByRoute(t *testing.T) {
	tr, rec := &fakeTracer{}, &fakeRequests{}
	h, _ := newObservedServer(tr, rec)
	for _, c := range []struct{ method, path string }{
		{"GET", "/healthz"},
		{"GET", "/readyz"},
		{"GET", "/no/such/thing"},
		{"BREW", "/healthz"},
		{"POST", "/oidc/token"},
		// A collection route, with a token to check; the server has no Auth, so checking it
		// panics: the panic is answered 500 and still counted under the route's pattern.
		{"GET", "/cis/v1/users/u-123/totp"},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if strings.HasPrefix(c.path, "/cis/v1/users/") {
			req.Header.Set("Authorization", "Bearer not-a-token")
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	want := []recorded{
		{"GET", "/healthz", 200},
		{"GET", "/readyz", 503},
		{"GET", UnmatchedRoute, 404},
		{"OTHER", UnmatchedRoute, 405},
		{"POST", "/oidc/token", 400},
		{"GET", "/cis/v1/users/{user_id}/totp", 500},
	}
	if len(rec.got) != len(want) {
		t.Fatalf("recorded %v, want %v", rec.got, want)
	}
	for i := range want {
		if rec.got[i] != want[i] {
			t.Errorf("request %d recorded as %v, want %v", i, rec.got[i], want[i])
		}
	}
	if len(tr.spans) != len(want) {
		t.Fatalf("%d spans for %d requests", len(tr.spans), len(want))
	}
	for i, s := range tr.spans {
		w := want[i]
		if s.name != w.method+" "+w.route || s.kind != observe.Server || !s.ended {
			t.Errorf("span %d: %q kind %v ended %v", i, s.name, s.kind, s.ended)
		}
		if s.attrs["http.route"] != w.route || s.attrs["http.response.status_code"] != w.status {
			t.Errorf("span %d attributes %v", i, s.attrs)
		}
		// A server span fails on a 5xx only.
		if (s.err != nil) != (w.status >= 500) {
			t.Errorf("span %d (status %d) ended with %v", i, w.status, s.err)
		}
	}
}

// Every log line of a request carries its request id once and, with tracing on, its trace
// id; a caller's traceparent is the parent of the request's span.
func TestMiddlewareLogLinesCarryRequestAndTraceIDs(t *testing.T) {
	tr := &fakeTracer{}
	h, logs := newObservedServer(tr, nil)
	req := httptest.NewRequest("GET", "/readyz", nil)
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	id := w.Header().Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id")
	}
	if p := tr.spans[0].parent; p.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || p.SpanID().String() != "b7ad6b7169203331" || !p.IsRemote() {
		t.Fatalf("the request's span did not continue the caller's trace: parent %v", p)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	msgs := map[string]bool{}
	for _, line := range lines {
		if n := strings.Count(line, `"request_id"`); n != 1 {
			t.Errorf("request_id appears %d times in %s", n, line)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		msgs[rec["msg"].(string)] = true
		if rec["request_id"] != id || rec["trace_id"] != fakeTraceID {
			t.Errorf("log line lacks the request's ids: %s", line)
		}
	}
	if !msgs["request failed"] || !msgs["request"] {
		t.Fatalf("log lines %v lack the failure or the request line", lines)
	}
}

// With tracing and metrics off nothing is started or reported, and lines carry no trace id.
func TestMiddlewareWithoutTracing(t *testing.T) {
	h, logs := newObservedServer(nil, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != 503 {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(logs.String(), "trace_id") {
		t.Fatalf("trace_id logged with tracing off:\n%s", logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if n := strings.Count(line, `"request_id"`); n != 1 {
			t.Errorf("request_id appears %d times in %s", n, line)
		}
	}
}
