// Package observe holds the hooks through which the domain and storage packages report what
// they do to tracing, without depending on a tracing library: a Tracer starts named spans, and
// a nil Tracer (tracing off) costs a nil check and nothing else.
//
// The OpenTelemetry implementation lives in internal/tracing; only the binary wires it in.
package observe
