package smtp_test

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/delivery/smtp"
	"github.com/latchkey/latchkey/internal/model"
)

func newSender(t *testing.T, srv *deliverytest.SMTPServer) *smtp.Sender {
	t.Helper()
	cfg, err := smtp.ParseURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", srv.URL(), err)
	}
	s, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameAddress compares two address header values as addresses, ignoring quoting.
func sameAddress(t *testing.T, got, want string) bool {
	t.Helper()
	g, err := mail.ParseAddress(got)
	if err != nil {
		t.Errorf("header value %q: %v", got, err)
		return false
	}
	w, err := mail.ParseAddress(want)
	if err != nil {
		t.Fatal(err)
	}
	return *g == *w
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func otpMessage(t *testing.T, to string) model.OutboxMessage {
	t.Helper()
	subject, text, html, err := delivery.RenderOTPEmail(delivery.OTPEmail{AppName: "Acmé", Code: "482913", ExpiresInMinutes: 5})
	if err != nil {
		t.Fatal(err)
	}
	return model.OutboxMessage{ID: model.NewID(), Kind: model.MessageEmail, To: to, Subject: subject,
		Text: text, HTML: html, CreatedAt: time.Now()}
}

func TestSend(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts deliverytest.SMTPOptions
	}{
		{"plain", deliverytest.SMTPOptions{}},
		{"auth", deliverytest.SMTPOptions{Username: "latchkey", Password: "pa:ss wörd"}},
		{"starttls", deliverytest.SMTPOptions{STARTTLS: true}},
		{"starttls and auth", deliverytest.SMTPOptions{STARTTLS: true, Username: "latchkey", Password: "secret"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := deliverytest.StartSMTPServer(t, tt.opts)
			s := newSender(t, srv)
			m := otpMessage(t, "alice@example.com")
			if err := s.Send(testContext(t), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if !sameAddress(t, r.From, deliverytest.DefaultFrom) || r.EnvelopeFrom != "no-reply@latchkey.test" {
				t.Errorf("From = %q, envelope from = %q", r.From, r.EnvelopeFrom)
			}
			if !sameAddress(t, r.To, "alice@example.com") {
				t.Errorf("To = %q", r.To)
			}
			if len(r.EnvelopeTo) != 1 || r.EnvelopeTo[0] != "alice@example.com" {
				t.Errorf("envelope to = %v", r.EnvelopeTo)
			}
			if r.Subject != m.Subject {
				t.Errorf("Subject = %q, want %q", r.Subject, m.Subject)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/alternative") {
				t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
			}
			if !strings.Contains(r.Text, "482913") || r.Text != m.Text {
				t.Errorf("text part = %q, want %q", r.Text, m.Text)
			}
			if !strings.Contains(r.HTML, "482913") || !strings.Contains(r.HTML, "<!DOCTYPE html>") {
				t.Errorf("HTML part = %q", r.HTML)
			}
			if want := "<" + m.ID + "@latchkey.test>"; r.Header.Get("Message-Id") != want {
				t.Errorf("Message-ID = %q, want %q", r.Header.Get("Message-Id"), want)
			}
			if _, err := r.Header.Date(); err != nil {
				t.Errorf("Date header: %v", err)
			}
			if r.AuthUser != tt.opts.Username {
				t.Errorf("authenticated as %q, want %q", r.AuthUser, tt.opts.Username)
			}
			if r.TLS != tt.opts.STARTTLS {
				t.Errorf("TLS = %v, want %v", r.TLS, tt.opts.STARTTLS)
			}
		})
	}
}

func TestSendMessageFrom(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	m := otpMessage(t, "bob@example.com")
	m.From = "Acme Support <support@acme.example>"
	if err := newSender(t, srv).Send(testContext(t), m); err != nil {
		t.Fatal(err)
	}
	r := srv.Messages()[0]
	if !sameAddress(t, r.From, m.From) {
		t.Errorf("From = %q", r.From)
	}
	if r.EnvelopeFrom != "support@acme.example" {
		t.Errorf("envelope from = %q", r.EnvelopeFrom)
	}
}

func TestSendTextOnly(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	m := model.OutboxMessage{ID: model.NewID(), To: "c@example.com", Subject: "hi", Text: "plain body\n"}
	if err := newSender(t, srv).Send(testContext(t), m); err != nil {
		t.Fatal(err)
	}
	r := srv.Messages()[0]
	if r.HTML != "" || !strings.Contains(r.Text, "plain body") {
		t.Errorf("text = %q, html = %q", r.Text, r.HTML)
	}
}

func TestSendWrongPasswordIsTransient(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "right"})
	cfg, err := smtp.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = "wrong"
	s, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(testContext(t), otpMessage(t, "a@example.com"))
	if err == nil {
		t.Fatal("Send with a wrong password succeeded")
	}
	// A configuration problem must not abandon the queue: fixing it should deliver everything.
	if delivery.IsPermanent(err) {
		t.Errorf("authentication failure is permanent: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Error("message received despite the failed authentication")
	}
}

func TestSendRejectedRecipientIsPermanent(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	srv.Reject("ghost@example.com")
	err := newSender(t, srv).Send(testContext(t), otpMessage(t, "ghost@example.com"))
	if err == nil {
		t.Fatal("Send to a rejected recipient succeeded")
	}
	if !delivery.IsPermanent(err) {
		t.Errorf("550 rejection is not permanent: %v", err)
	}
	if !strings.Contains(err.Error(), "550") {
		t.Errorf("error does not carry the reply: %v", err)
	}
}

func TestSendTemporaryFailureIsTransient(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	srv.FailNext(1)
	s := newSender(t, srv)
	err := s.Send(testContext(t), otpMessage(t, "a@example.com"))
	if err == nil {
		t.Fatal("Send during a 451 failure succeeded")
	}
	if delivery.IsPermanent(err) {
		t.Errorf("451 is permanent: %v", err)
	}
	if err := s.Send(testContext(t), otpMessage(t, "a@example.com")); err != nil {
		t.Fatalf("Send after the failure: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages, want 1", n)
	}
}

func TestSendServerDownIsTransient(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	s := newSender(t, srv)
	srv.Stop()
	err := s.Send(testContext(t), otpMessage(t, "a@example.com"))
	if err == nil || delivery.IsPermanent(err) {
		t.Fatalf("Send to a stopped server: %v, want a transient error", err)
	}
	srv.Restart()
	if err := s.Send(testContext(t), otpMessage(t, "a@example.com")); err != nil {
		t.Fatalf("Send after restart: %v", err)
	}
}

func TestSendInvalidAddressIsPermanent(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	m := otpMessage(t, "not an address")
	err := newSender(t, srv).Send(testContext(t), m)
	if err == nil || !delivery.IsPermanent(err) {
		t.Errorf("Send to an invalid address: %v, want a permanent error", err)
	}
	m = otpMessage(t, "a@example.com")
	m.Kind = model.MessageSMS
	if err := newSender(t, srv).Send(testContext(t), m); err == nil || !delivery.IsPermanent(err) {
		t.Errorf("Send of an SMS: %v, want a permanent error", err)
	}
}

func TestSendHonoursContext(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newSender(t, srv).Send(ctx, otpMessage(t, "a@example.com"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context: %v, want context.Canceled", err)
	}
	if delivery.IsPermanent(err) {
		t.Error("cancellation is permanent")
	}
}

func TestSendConcurrently(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "p"})
	s := newSender(t, srv)
	ctx := testContext(t)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Send(ctx, otpMessage(t, "many@example.com")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := srv.WaitFor(ctx, "many@example.com", 10); err != nil {
		t.Fatal(err)
	}
}
