// Package deliverytest holds test doubles for delivery: Recorder, a delivery.Sender that keeps
// what it is given, and SMTPServer, a real SMTP server on the loopback interface that captures
// what it receives and can simulate outages.
package deliverytest
