package tracing_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/tracing"
	"github.com/latchkey/latchkey/internal/tracing/tracingtest"
)

func TestNilProviderIsOff(t *testing.T) {
	var p *tracing.Provider
	if p.Tracer() != nil {
		t.Fatal("a nil Provider hands out a Tracer")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A span started through the hook reaches an OTLP receiver as protobuf, as the child of the
// span its context carried, of the right kind, with a failure recorded by its code alone.
func TestSpansReachTheReceiver(t *testing.T) {
	rcv := tracingtest.Start(t)
	ctx := context.Background()
	p, err := tracing.New(ctx, tracing.Options{TracesURL: tracing.TracesURL(rcv.URL() + "/"), SampleRatio: 1, ServiceVersion: "v9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	tr := p.Tracer()
	ctx, root := tr.Start(ctx, "request", observe.Server)
	root.SetAttr("http.route", "/x/{id}")
	root.SetAttr("http.response.status_code", 400)
	root.SetAttr("flag", true)
	root.SetAttr("big", int64(1)<<40)
	root.SetName("POST /x/{id}")
	_, step := observe.Start(ctx, tr, "step")
	step.End(fault.New(fault.Invalid, "some_code", "a message naming ada@example.com"))
	_, db := tr.Start(ctx, "db.transaction", observe.Client)
	db.End(nil)
	root.End(nil)
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if bad := rcv.Problems(); len(bad) > 0 {
		t.Fatalf("the receiver could not read the export: %v", bad)
	}
	spans := rcv.Trace(root.TraceID())
	if len(spans) != 3 {
		t.Fatalf("got %d spans of trace %s, want 3: %+v", len(spans), root.TraceID(), rcv.Spans())
	}
	r := tracingtest.Named(spans, "POST /x/{id}")
	if len(r) != 1 || r[0].ParentID != "" || r[0].Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Fatalf("request span: %+v", r)
	}
	want := map[string]string{"http.route": "/x/{id}", "http.response.status_code": "400", "flag": "true", "big": "1099511627776"}
	for k, v := range want {
		if r[0].Attrs[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, r[0].Attrs[k], v)
		}
	}
	if r[0].Service != tracing.ServiceName || r[0].Failed {
		t.Errorf("request span: service %q, failed %v", r[0].Service, r[0].Failed)
	}
	kids := tracingtest.Children(spans, r[0].SpanID)
	if len(kids) != 2 {
		t.Fatalf("the request span has %d children, want 2: %+v", len(kids), spans)
	}
	for _, k := range kids {
		switch k.Name {
		case "step":
			if !k.Failed || k.StatusMessage != "some_code" || k.Attrs["error.type"] != "some_code" || k.Kind != tracepb.Span_SPAN_KIND_INTERNAL {
				t.Errorf("failed step span: %+v", k)
			}
		case "db.transaction":
			if k.Failed || k.Kind != tracepb.Span_SPAN_KIND_CLIENT {
				t.Errorf("transaction span: %+v", k)
			}
		default:
			t.Errorf("unexpected child %q", k.Name)
		}
	}
	for _, s := range rcv.Spans() {
		for k, v := range s.Attrs {
			if strings.Contains(v, "@") {
				t.Errorf("span %s carries %s=%q", s.Name, k, v)
			}
		}
		if strings.Contains(s.StatusMessage, "@") {
			t.Errorf("span %s status carries the error's message: %q", s.Name, s.StatusMessage)
		}
	}
	// The provider is the binary's alone: OpenTelemetry's global one stays the no-op default.
	if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
		t.Fatal("New installed its provider as the global one")
	}
}

// Unsampled traces are not exported, but still have an id for the log lines.
func TestUnsampledTracesKeepTheirID(t *testing.T) {
	rcv := tracingtest.Start(t)
	ctx := context.Background()
	p, err := tracing.New(ctx, tracing.Options{TracesURL: tracing.TracesURL(rcv.URL()), SampleRatio: 0})
	if err != nil {
		t.Fatal(err)
	}
	_, s := p.Tracer().Start(ctx, "request", observe.Server)
	s.SetAttr("k", "v")
	s.End(fault.New(fault.Internal, "x", "y"))
	if len(s.TraceID()) != 32 {
		t.Fatalf("trace id %q", s.TraceID())
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.Spans()); n != 0 {
		t.Fatalf("%d spans of an unsampled trace were exported", n)
	}
}

func TestSampleRatioOutOfRange(t *testing.T) {
	for _, r := range []float64{-0.1, 1.5} {
		if _, err := tracing.New(context.Background(), tracing.Options{TracesURL: "http://127.0.0.1:1/v1/traces", SampleRatio: r}); err == nil {
			t.Errorf("ratio %v accepted", r)
		}
	}
}
