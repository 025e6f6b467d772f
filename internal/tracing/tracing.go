package tracing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/observe"
)

// Options configure a Provider.
type Options struct {
	// TracesURL is the full URL spans are posted to (http://collector:4318/v1/traces). Empty
	// leaves the endpoint to the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
	// OTEL_EXPORTER_OTLP_ENDPOINT variables, which the exporter reads itself, as it reads
	// OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION and _CERTIFICATE in any case.
	TracesURL string
	// SampleRatio is the share of traces started here that are recorded, 0 to 1; a request
	// whose caller sent a sampled traceparent is recorded whatever the ratio.
	SampleRatio float64
	// ServiceVersion is the release, recorded on every span's resource.
	ServiceVersion string
	// BatchDelay is how long spans wait to be sent in a batch; 0 takes the SDK's default
	// (OTEL_BSP_SCHEDULE_DELAY, else 5s).
	BatchDelay time.Duration
}

// Provider owns the SDK's tracer provider and its exporter.
type Provider struct {
	sdk    *sdktrace.TracerProvider
	tracer trace.Tracer
}

// ServiceName is the service.name of Latchkey's spans unless OTEL_SERVICE_NAME says otherwise.
const ServiceName = "latchkey"

// New builds a Provider that batches spans to the OTLP endpoint. It connects to nothing until
// the first batch is sent, so a collector that is down delays nothing at start.
func New(ctx context.Context, o Options) (*Provider, error) {
	if o.SampleRatio < 0 || o.SampleRatio > 1 {
		return nil, fmt.Errorf("tracing: sample ratio %v is not between 0 and 1", o.SampleRatio)
	}
	var opts []otlptracehttp.Option
	if o.TracesURL != "" {
		opts = append(opts, otlptracehttp.WithEndpointURL(o.TracesURL))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", ServiceName), attribute.String("service.version", o.ServiceVersion)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, applied last
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	var batch []sdktrace.BatchSpanProcessorOption
	if o.BatchDelay > 0 {
		batch = append(batch, sdktrace.WithBatchTimeout(o.BatchDelay))
	}
	sdk := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, batch...),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(o.SampleRatio))),
	)
	return &Provider{sdk: sdk, tracer: sdk.Tracer("github.com/latchkey/latchkey")}, nil
}

// Tracer returns the hook spans are started through; nil for a nil Provider (tracing off).
func (p *Provider) Tracer() observe.Tracer {
	if p == nil {
		return nil
	}
	return tracer{p.tracer}
}

// Shutdown sends the spans still batched and stops the exporter. A nil Provider has nothing
// to do.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	return p.sdk.Shutdown(ctx)
}

type tracer struct{ t trace.Tracer }

func (t tracer) Start(ctx context.Context, name string, kind observe.Kind) (context.Context, observe.Span) {
	ctx, s := t.t.Start(ctx, name, trace.WithSpanKind(spanKinds[kind]))
	return ctx, span{s}
}

var spanKinds = map[observe.Kind]trace.SpanKind{
	observe.Internal: trace.SpanKindInternal,
	observe.Server:   trace.SpanKindServer,
	observe.Client:   trace.SpanKindClient,
}

type span struct{ s trace.Span }

func (s span) SetAttr(key string, value any) {
	if !s.s.IsRecording() {
		return
	}
	switch v := value.(type) {
	case string:
		s.s.SetAttributes(attribute.String(key, v))
	case bool:
		s.s.SetAttributes(attribute.Bool(key, v))
	case int:
		s.s.SetAttributes(attribute.Int(key, v))
	case int64:
		s.s.SetAttributes(attribute.Int64(key, v))
	default:
		s.s.SetAttributes(attribute.String(key, fmt.Sprint(v)))
	}
}

func (s span) SetName(name string) { s.s.SetName(name) }

// End marks a failed span with the error's public code only: causes can carry what a trace
// must not (addresses, SQL), and the request's log line, which carries the trace id, has them.
func (s span) End(err error) {
	if err != nil && s.s.IsRecording() {
		code := "internal"
		var fe *fault.Error
		if errors.As(err, &fe) && fe.Code != "" {
			code = fe.Code
		}
		s.s.SetAttributes(attribute.String("error.type", code))
		s.s.SetStatus(codes.Error, code)
	}
	s.s.End()
}

func (s span) TraceID() string {
	sc := s.s.SpanContext()
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// TracesURL is the traces endpoint under an OTLP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT
// reads one: the base with /v1/traces appended.
func TracesURL(base string) string {
	return strings.TrimSuffix(base, "/") + "/v1/traces"
}
