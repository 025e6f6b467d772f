// Package bench is Latchkey's load generator and benchmark harness. It drives a running
// Latchkey over HTTP with a fixed number of connections for a fixed time after a warm-up, runs
// the named scenarios (client credentials, logins, refresh, introspection, ...), measures
// latency percentiles and throughput, reads the server's SQL and CPU counters from its admin
// listener around the timed window, then drives each scenario open-loop at half the rate it
// reached (latency measured from each iteration's scheduled start, so that queueing counts),
// compares every scenario with a floor (a minimal HTTP handler plus the signatures and hashes
// the scenario cannot avoid), and renders the results as a table or JSON.
//
// It is a client: it imports net/http but no domain package's internals beyond the password
// parameters, so that it measures what a deployment would see.
package bench
