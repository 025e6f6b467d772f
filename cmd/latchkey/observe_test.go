package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/tracing/tracingtest"
)

func testConfig(t *testing.T, getenv func(string) string) config.Config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := config.Load(fs, nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var quiet = slog.New(slog.DiscardHandler)

// Without an OTLP endpoint and an admin listener nothing observes: no tracer provider exists
// (none is installed globally either), and every recorder is a nil interface, which the
// packages skip with a nil check.
func TestObserversAreOffByDefault(t *testing.T) {
	cfg := testConfig(t, func(string) string { return "" })
	obs, stop, err := startObservers(context.Background(), cfg, false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if obs.tracer != nil || obs.metrics != nil {
		t.Fatalf("observers on by default: %+v", obs)
	}
	if obs.authRecorder() != nil || obs.deliveryRecorder() != nil || obs.requestRecorder() != nil || obs.passwordWait() != nil {
		t.Fatal("a recorder is not a nil interface with metrics off")
	}
	if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
		t.Fatal("a tracer provider is installed with tracing off")
	}
	// The admin listener alone turns metrics on, and tracing stays off.
	obs, stop2, err := startObservers(context.Background(), cfg, true, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if obs.metrics == nil || obs.tracer != nil || obs.authRecorder() == nil {
		t.Fatalf("with an admin listener: %+v", obs)
	}
}

// The standard OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on, and the exporter sends there.
func TestTracingFromTheStandardVariable(t *testing.T) {
	rcv := tracingtest.Start(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.URL())
	cfg := testConfig(t, os.Getenv)
	obs, stop, err := startObservers(context.Background(), cfg, false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if obs.tracer == nil {
		t.Fatal("tracing is off with OTEL_EXPORTER_OTLP_ENDPOINT set")
	}
	_, s := obs.tracer.Start(context.Background(), "probe", observe.Internal)
	s.End(nil)
	stop() // flushes
	if got := tracingtest.Named(rcv.Spans(), "probe"); len(got) != 1 || got[0].TraceID != s.TraceID() {
		t.Fatalf("the receiver got %+v", rcv.Spans())
	}
}
