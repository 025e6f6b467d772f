// Package audit records what happened: every authentication success and failure, send,
// lockout, session change and admin change, with tenant, application, user, method, IP address
// and time. Events are appended to the store, inside the transaction of the change they record
// where there is one, and, when the tenant has a webhook, queued in the outbox for signed
// delivery with retries.
//
// It also answers administrators' queries of the log and manages the tenant's webhook.
package audit
