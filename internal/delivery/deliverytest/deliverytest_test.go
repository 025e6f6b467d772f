package deliverytest_test

import (
	"context"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
	"github.com/latchkey/latchkey/internal/model"
)

func TestRecorder(t *testing.T) {
	r := deliverytest.NewRecorder()
	ctx := context.Background()
	boom := errors.New("boom")
	r.Fail(1, boom)
	if err := r.Send(ctx, model.OutboxMessage{To: "a@example.com"}); !errors.Is(err, boom) {
		t.Fatalf("first Send = %v, want the queued error", err)
	}
	if len(r.Messages()) != 0 {
		t.Fatal("failed send was recorded")
	}
	done := make(chan []model.OutboxMessage)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		got, err := r.WaitFor(ctx, "a@example.com", 2)
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	for _, id := range []string{"1", "2"} {
		if err := r.Send(ctx, model.OutboxMessage{ID: id, To: "a@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	_ = r.Send(ctx, model.OutboxMessage{ID: "3", To: "b@example.com"})
	if got := <-done; len(got) != 2 {
		t.Errorf("WaitFor returned %d messages, want 2", len(got))
	}
	if m, ok := r.Last("a@example.com"); !ok || m.ID != "2" {
		t.Errorf("Last = %v, %v", m, ok)
	}
	if _, ok := r.Last("nobody@example.com"); ok {
		t.Error("Last found a message for an unknown recipient")
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := r.WaitFor(short, "b@example.com", 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor for missing messages = %v", err)
	}
}

const rawMessage = "From: Acme <no-reply@acme.example>\r\n" +
	"To: alice@example.com\r\n" +
	"Subject: =?UTF-8?q?Acm=C3=A9_code?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=BOUNDARY\r\n" +
	"\r\n" +
	"--BOUNDARY\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Code: 123456 =E2=80=94 caf=C3=A9\r\n" +
	"--BOUNDARY\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+Q29kZTogPGI+MTIz\r\nNDU2PC9iPjwvcD4=\r\n" +
	"--BOUNDARY--\r\n"

func TestSMTPServerParsesMessages(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "p"})
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	if err := smtp.SendMail(srv.Addr(), auth, "no-reply@acme.example", []string{"alice@example.com"}, []byte(rawMessage)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	m := got[0]
	if m.Subject != "Acmé code" || m.From != "Acme <no-reply@acme.example>" || m.To != "alice@example.com" {
		t.Errorf("headers: subject %q from %q to %q", m.Subject, m.From, m.To)
	}
	if m.Text != "Code: 123456 — café" {
		t.Errorf("text = %q", m.Text)
	}
	if m.HTML != "<p>Code: <b>123456</b></p>" {
		t.Errorf("html = %q", m.HTML)
	}
	if m.AuthUser != "u" || m.EnvelopeFrom != "no-reply@acme.example" || len(m.EnvelopeTo) != 1 {
		t.Errorf("envelope: %+v", m)
	}
	if !strings.Contains(string(m.Raw), "BOUNDARY") {
		t.Error("raw message not kept")
	}
}

func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestSMTPServerFailures(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "p"})
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	send := func(to string, a smtp.Auth) error {
		return smtp.SendMail(srv.Addr(), a, "x@example.com", []string{to}, []byte("Subject: hi\r\n\r\nbody\r\n"))
	}
	if err := send("a@example.com", nil); smtpCode(err)/100 != 5 {
		t.Errorf("send without AUTH = %v, want a 5xx", err)
	}
	if err := send("a@example.com", smtp.PlainAuth("", "u", "wrong", "127.0.0.1")); smtpCode(err) != 535 {
		t.Errorf("send with a wrong password = %v, want 535", err)
	}
	srv.FailNext(2)
	for range 2 {
		if err := send("a@example.com", auth); smtpCode(err) != 451 {
			t.Errorf("send during failure = %v, want 451", err)
		}
	}
	if err := send("a@example.com", auth); err != nil {
		t.Errorf("send after failures: %v", err)
	}
	srv.Reject("ghost@example.com")
	if err := send("ghost@example.com", auth); smtpCode(err) != 550 {
		t.Errorf("send to a rejected recipient = %v, want 550", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("received %d messages, want 1", n)
	}
}

func TestSMTPServerRestart(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
	addr := srv.Addr()
	send := func() error {
		return smtp.SendMail(addr, nil, "x@example.com", []string{"a@example.com"}, []byte("Subject: hi\r\n\r\nbody\r\n"))
	}
	srv.Stop()
	if err := send(); err == nil {
		t.Fatal("send to a stopped server succeeded")
	}
	srv.Restart()
	if srv.Addr() != addr {
		t.Errorf("restarted on %s, want %s", srv.Addr(), addr)
	}
	if err := send(); err != nil {
		t.Fatalf("send after restart: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("received %d messages, want 1", n)
	}
}

func TestSMTPServerURL(t *testing.T) {
	srv := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "u", Password: "p w", STARTTLS: true})
	u := srv.URL()
	for _, want := range []string{"smtp://u:p%20w@" + srv.Addr(), "tls=starttls", "insecure_skip_verify=true", "from="} {
		if !strings.Contains(u, want) {
			t.Errorf("URL %q lacks %q", u, want)
		}
	}
}
