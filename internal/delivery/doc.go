// Package delivery sends the messages of Latchkey's durable outbox.
//
// The domain never talks to a mail server while handling a request. It renders a message with
// the templates of this package (RenderOTPEmail, RenderMagicLinkEmail), seals its subject and
// bodies under the master key with SealMessage (stores refuse a clear body, since it carries a
// code or link), and writes it to the outbox with storage.Outbox.EnqueueMessage, in the same
// transaction that creates the one-time code the message carries. The worker opens the body
// just before the send and never writes it back. A Worker then leases due messages, hands each to the Sender
// registered for its kind, and records the outcome, so an SMTP outage or a restart loses
// nothing.
//
// Retry policy. A transient failure (a connection error, an SMTP 4xx, a timeout) makes the
// message due again after an exponential backoff: 2s after the first failure, doubling, capped
// at 10 minutes, with up to a quarter of the delay removed at random so that messages which
// failed together do not all retry together. After MaxAttempts failed attempts (12 by default,
// about 37 minutes of trying) the message is abandoned. A failure wrapped with Permanent (an
// SMTP 5xx for the message, an invalid address, a kind with no sender) abandons the message at
// once. An abandoned message stays undelivered in the outbox with its LastError, its
// NextAttemptAt set to FarFuture so that it is never leased again, and an error is logged.
// Collect deletes finished messages (delivered, suppressed, abandoned, dropped) once the
// operator's retention has passed.
//
// Delivery is at least once. Leasing in storage guarantees that two workers, on one node or
// on several, never hold one message at the same time, and a message leased by a worker that
// crashed becomes due again when its lease ends. A crash between the mail server's "250 OK"
// and MarkDelivered therefore sends the message twice; SMTP offers no way to avoid that. The
// lease (60s by default) is kept long, and every send is given a deadline well inside it, so
// that a slow send is never mistaken for a crashed worker.
//
// This package holds no transport: providers live in subpackages (smtp, console) and test
// doubles in deliverytest.
package delivery
