// Package metrics keeps the operator's Prometheus metrics and serves them in the text
// exposition format, on the admin listener's /metrics.
//
// The packages whose work is counted own small recorder interfaces (httpapi.RequestRecorder,
// auth.Recorder, delivery.Recorder, password's OnWait hook) and know nothing of Prometheus;
// Metrics implements them, and the binary wires them together. What is cheaper to read than
// to count (the outbox's backlog, the database pools, the hashing pool's queue, the signing
// key cache) is read at scrape time through Sources. docs/operations.md lists every metric.
//
// Labels take only values from short fixed lists (route patterns, methods, outcomes, message
// kinds), never anything a caller chooses, so that the number of series stays bounded.
package metrics
