// Package tracingtest is an OTLP/HTTP trace receiver for tests: an in-process HTTP server that
// decodes the protobuf export requests the exporter posts, as a collector would, and keeps
// their spans.
package tracingtest
