// Package webhook delivers outbox messages by "deliver it yourself" webhooks, and signs and
// verifies webhooks in the Standard Webhooks scheme (https://www.standardwebhooks.com).
//
// A Sender POSTs each message, as a small JSON object, to a URL the operator controls, which
// then sends the SMS or email through whatever provider it likes. Every request carries the
// headers webhook-id (the outbox message id, the same on every retry, so receivers can drop
// duplicates), webhook-timestamp (the attempt's Unix time) and webhook-signature
// ("v1,<base64 HMAC-SHA256 of id.timestamp.body>" under the shared secret). Secrets are
// written "whsec_<base64 of 24 to 64 random bytes>".
//
// Outcomes follow the specification's status handling: 2xx delivers; 408 and 429 are
// throttling and, like 3xx (redirects are not followed), 5xx and network errors, are retried;
// any other 4xx is permanent. Sign and Verify are exported so that other webhooks of Latchkey,
// and receivers written in Go, share one implementation.
package webhook
