package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

// waitOutboxDelivered waits, within bound, until every outbox message is delivered, and
// returns how long that took. From then on no message can be sent again, so the SMTP server
// has received every copy it ever will.
func (c *soakCluster) waitOutboxDelivered(bound time.Duration) time.Duration {
	c.t.Helper()
	from := time.Now()
	for {
		var left int
		if err := c.db.QueryRow("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").Scan(&left); err != nil {
			c.t.Fatalf("count undelivered messages: %v", err)
		}
		if left == 0 {
			return time.Since(from)
		}
		if time.Since(from) > bound {
			c.t.Fatalf("%d outbox messages were still undelivered %s after the workload stopped:\n%s", left, bound, c.undelivered())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// undelivered describes the undelivered outbox messages, for a failure message.
func (c *soakCluster) undelivered() string {
	rows, err := c.db.Query("SELECT id, attempts, last_error, next_attempt_at, lease_until FROM outbox WHERE delivered_at IS NULL ORDER BY created_at LIMIT 20")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, lastError string
		var attempts int
		var next int64
		var lease *int64
		if err := rows.Scan(&id, &attempts, &lastError, &next, &lease); err != nil {
			return err.Error()
		}
		held := "none"
		if lease != nil {
			held = time.UnixMilli(*lease).Format(time.RFC3339Nano)
		}
		fmt.Fprintf(&b, "  %s: %d attempts, next %s, lease %s, last error %q\n",
			id, attempts, time.UnixMilli(next).Format(time.RFC3339Nano), held, lastError)
	}
	return b.String()
}

// checkLeasesTakenOver checks that the messages leased when a node was killed were delivered
// within soakLeaseBound of the kill. A node killed in the middle of a send held at least the
// message it was sending.
func (c *soakCluster) checkLeasesTakenOver(killed []killRecord) {
	c.t.Helper()
	for k, rec := range killed {
		if rec.held && len(rec.leased) == 0 {
			c.t.Errorf("kill %d: %s was in the middle of a send, yet no message was leased", k+1, c.nodes[rec.node].name)
		}
		if len(rec.leased) == 0 {
			continue
		}
		rows, err := c.db.Query("SELECT id, delivered_at FROM outbox WHERE id = ANY($1::text[])", rec.leased)
		if err != nil {
			c.t.Fatalf("read delivery times: %v", err)
		}
		var first, last time.Duration
		seen := 0
		for rows.Next() {
			var id string
			var at int64
			if err := rows.Scan(&id, &at); err != nil {
				c.t.Fatal(err)
			}
			d := time.UnixMilli(at).Sub(rec.at)
			if d > soakLeaseBound {
				c.t.Errorf("kill %d: message %s, leased at the kill, was delivered only %s later", k+1, id, d.Round(time.Millisecond))
			}
			if seen == 0 || d < first {
				first = d
			}
			last = max(last, d)
			seen++
		}
		rows.Close()
		if seen != len(rec.leased) {
			c.t.Errorf("kill %d: %d of the %d messages leased at the kill are gone from the outbox", k+1, len(rec.leased)-seen, len(rec.leased))
		}
		c.t.Logf("kill %d: the %d messages leased at the kill were delivered %s to %s after it",
			k+1, seen, first.Round(time.Millisecond), last.Round(time.Millisecond))
	}
}

// checkSoakMail checks that no message reached the SMTP server twice, that each acknowledged
// send's email arrived, and that its code signs the user in.
func (c *soakCluster) checkSoakMail() {
	t := c.t
	t.Helper()
	byID := map[string]int{}
	byRcpt := map[string][]deliverytest.ReceivedMessage{}
	msgs := c.smtp.Messages()
	for _, m := range msgs {
		id := m.Header.Get("Message-Id")
		if id == "" {
			t.Errorf("the message to %v has no Message-ID", m.EnvelopeTo)
		}
		byID[id]++
		to := strings.Join(m.EnvelopeTo, ",")
		byRcpt[to] = append(byRcpt[to], m)
	}
	dups := 0
	for id, n := range byID {
		if n > 1 {
			dups += n - 1
			t.Errorf("message %s reached the SMTP server %d times", id, n)
		}
	}
	if dups > 0 {
		c.logNodeLines("sent but not marked delivered", "leases not extended")
	}
	mails := c.ledger.mails
	acked := map[string]bool{}
	codes := make([]string, len(mails))
	for i, to := range mails {
		acked[to] = true
		got := byRcpt[to]
		if len(got) != 1 {
			t.Errorf("%s, whose send was acknowledged, received %d messages, want exactly 1", to, len(got))
			continue
		}
		codes[i] = smtpCode(t, got[0])
	}
	unacked := 0
	for to := range byRcpt {
		if !acked[to] {
			unacked++
		}
	}
	t.Logf("the SMTP server received %d messages: %d for acknowledged sends, %d for sends whose answer a fault cut off; %d duplicates",
		len(msgs), len(mails), unacked, dups)
	if t.Failed() {
		t.FailNow()
	}
	c.each(len(mails), func(i int, p *latchkeyProcess) error {
		return wantAnswer(p, "/cis/v1/auth/otp/authenticate", c.token, otpAuthBody(mails[i], codes[i]))
	})
}

// checkSoakSessions checks that every acknowledged session is alive and that the newest refresh
// token received for it is good.
func (c *soakCluster) checkSoakSessions() {
	c.t.Helper()
	type session struct{ id, rt string }
	var all []session
	for id, rt := range c.ledger.sessions {
		all = append(all, session{id, rt})
	}
	c.each(len(all), func(i int, p *latchkeyProcess) error {
		s := all[i]
		if err := wantAnswer(p, "/cis/v1/auth/session/authenticate", c.token, map[string]any{"session_id": s.id}); err != nil {
			return fmt.Errorf("session %s: %w", s.id, err)
		}
		if err := wantAnswer(p, "/cis/v1/auth/token/refresh", c.token, map[string]any{"refresh_token": s.rt}); err != nil {
			return fmt.Errorf("the newest refresh token of session %s: %w", s.id, err)
		}
		return nil
	})
}

// each runs check for 0..n-1 on a few goroutines, spread over both nodes, and fails the test
// with the first few errors.
func (c *soakCluster) each(n int, check func(i int, p *latchkeyProcess) error) {
	c.t.Helper()
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	const workers = 4
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				p, _, _ := c.nodes[i%2].current()
				if err := check(i, p); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i == 10 {
			c.t.Errorf("... and %d more", len(errs)-10)
			break
		}
		c.t.Error(err)
	}
	if len(errs) > 0 {
		c.t.FailNow()
	}
}

// wantAnswer sends a POST and reports anything but a 200 answer as an error.
func wantAnswer(p *latchkeyProcess, path, token string, body any) error {
	res, err := nodeRequest(context.Background(), p, "POST", path, token, body)
	if err != nil {
		return err
	}
	if res.Status != 200 {
		return fmt.Errorf("%s: status %d: %s", path, res.Status, res.Body)
	}
	return nil
}

// logNodeLines logs the nodes' log lines, of every process they ran, that contain any of what.
func (c *soakCluster) logNodeLines(what ...string) {
	for _, n := range c.nodes {
		for _, p := range n.history() {
			for _, line := range p.stderr.lines() {
				for _, w := range what {
					if strings.Contains(line, w) {
						c.t.Logf("%s: %s", n.name, line)
						break
					}
				}
			}
		}
	}
}
