// Package clientip tells where an HTTP request really came from when Latchkey runs behind
// load balancers or reverse proxies: the client's address (for limits and audit records), and
// the scheme and host the browser used (for same-origin checks and the Secure cookie
// decision). Forwarding headers are believed only from the trusted proxies the deployment
// names (LATCHKEY_TRUSTED_PROXIES), so that a client cannot choose what they say.
//
// The API (package httpapi) and the admin portal (package portal) both read requests through
// it, so the two edges agree on who a request came from.
package clientip
