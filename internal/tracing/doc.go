// Package tracing exports spans by OTLP over HTTP (protobuf) with the OpenTelemetry SDK and
// adapts them to observe.Tracer, the hook the domain and storage packages start spans through.
//
// Tracing is off unless the binary builds a Provider: then no SDK object exists, the hooks are
// nil, and a request costs nil checks. The Provider is never installed as OpenTelemetry's
// global one, so that nothing in the process traces behind the configuration's back.
package tracing
