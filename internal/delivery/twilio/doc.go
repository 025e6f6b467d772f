// Package twilio is the delivery.Sender that sends SMS through Twilio's Programmable Messaging
// REST API: one form-encoded POST to {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
// per message, authenticated with HTTP basic auth (account SID and auth token), naming either
// a From number (or alphanumeric sender id) or a Messaging Service.
//
// Errors are classified for the outbox worker. A 4xx answer concerns the message (21211, an
// invalid To number; 21610, a recipient who unsubscribed; 21408, a region not enabled) and is
// permanent, except 408 and 429 (throttling) and 401, which means the credentials are wrong: a
// configuration problem that the operator can fix while the messages wait, as with an SMTP
// server refusing to authenticate. 5xx answers and network errors are transient.
package twilio
