package e2e

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

// smtpWait bounds the wait for a message. It is longer than processWait because a message
// leased by a killed process comes due again only when its lease (15 s) ends.
const smtpWait = 90 * time.Second

// waitSMTP waits for at least n messages to `to` and returns them.
func waitSMTP(t *testing.T, smtp *deliverytest.SMTPServer, to string, n int) []deliverytest.ReceivedMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), smtpWait)
	defer cancel()
	msgs, err := smtp.WaitFor(ctx, to, n)
	if err != nil {
		t.Fatalf("email to %s: %v", to, err)
	}
	return msgs
}

// smtpCode returns the one-time code in a message, which both its parts must show.
func smtpCode(t *testing.T, m deliverytest.ReceivedMessage) string {
	t.Helper()
	c := codeInText.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no code in the text part of the email to %v: %q", m.EnvelopeTo, m.Text)
	}
	if !strings.Contains(m.HTML, c[1]) {
		t.Fatalf("the HTML part of the email to %v lacks the code %s: %q", m.EnvelopeTo, c[1], m.HTML)
	}
	return c[1]
}

func TestProcessEmailOTPOverSMTP(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "mailer", Password: "s3cret pass"})
		srv := startLatchkeyServer(t, st, "", map[string]string{"LATCHKEY_SMTP_URL": smtp.URL()})
		boot := srv.waitBootstrap()
		tok := srv.token(boot.ClientID, boot.ClientSecret)
		const email = "ada@example.com"
		srv.createUser(tok, email)
		srv.sendEmailOTP(tok, email)

		m := waitSMTP(t, smtp, email, 1)[0]
		if m.AuthUser != "mailer" {
			t.Fatalf("message was sent with SMTP user %q, want mailer", m.AuthUser)
		}
		if m.Subject == "" || m.Text == "" || m.HTML == "" {
			t.Fatalf("message lacks a subject, a text part or an HTML part: %+v", m)
		}
		srv.authenticateOTP(tok, email, smtpCode(t, m))
	})
}

func TestProcessOutboxSurvivesOutageAndKill(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{Username: "mailer", Password: "pw"})
		smtp.Stop()
		env := map[string]string{"LATCHKEY_SMTP_URL": smtp.URL()}
		srv := startLatchkeyServer(t, st, "", env)
		boot := srv.waitBootstrap()
		tok := srv.token(boot.ClientID, boot.ClientSecret)
		var emails []string
		for i := range 5 {
			email := fmt.Sprintf("user%d@example.com", i)
			emails = append(emails, email)
			srv.createUser(tok, email)
			srv.sendEmailOTP(tok, email)
		}

		// Wait until every message has failed at least once, so each is known to be in the
		// outbox and not merely in flight, then kill the server without warning.
		pollUntil(t, processWait, "a failed delivery of each of the 5 messages", func() bool {
			failed := map[string]bool{}
			for _, r := range srv.logRecords() {
				if r["msg"] == "outbox delivery failed; will retry" {
					failed[fmt.Sprint(r["message_id"])] = true
				}
			}
			return len(failed) >= len(emails)
		})
		srv.signal(syscall.SIGKILL)
		if code := srv.wait(); code != -1 {
			t.Fatalf("killed server exited with status %d", code)
		}
		if got := smtp.Messages(); len(got) != 0 {
			t.Fatalf("%d messages arrived while the SMTP server was down", len(got))
		}

		// Same address, so the issuer of tok stays the same.
		restarted := startLatchkeyServer(t, st, srv.addr, env)
		smtp.Restart()
		codes := map[string]string{}
		for _, email := range emails {
			codes[email] = smtpCode(t, waitSMTP(t, smtp, email, 1)[0])
		}
		// Nothing may be sent twice: give a duplicate the time to show up.
		time.Sleep(3 * time.Second)
		for _, email := range emails {
			if n := len(waitSMTP(t, smtp, email, 1)); n != 1 {
				t.Fatalf("%s received %d messages, want exactly 1", email, n)
			}
		}
		for _, email := range emails {
			restarted.authenticateOTP(tok, email, codes[email])
		}
	})
}
