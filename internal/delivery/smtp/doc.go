// Package smtp is the delivery.Sender that sends email through an SMTP server, configured by a
// URL such as smtp://user:pass@mail.example.com:587?from=Acme%20%3Cno-reply@example.com%3E.
//
// Each Send opens its own connection, so a Sender is safe for concurrent use and a broken
// connection never outlives one message. Errors are classified for the outbox worker: a 5xx
// reply to the message itself (MAIL FROM, RCPT TO, DATA) or an address that cannot be written
// is permanent; connection failures, timeouts, 4xx replies, and any failure while setting the
// session up (greeting, EHLO, STARTTLS, AUTH) are transient. Session failures are transient
// even when the reply is a 5xx because they concern the server or its configuration, not the
// message: once the operator fixes them, the queued messages still go out.
package smtp
