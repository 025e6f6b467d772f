package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/deliverytest"
)

// Bounds of the crash workload.
const (
	crashMailPhase    = 1500 * time.Millisecond // how long email codes are sent
	crashIdleWait     = 8 * time.Second         // how long to look for an idle outbox before killing anyway
	crashMailWorkers  = 2
	crashLoginWorkers = 3
)

// crashLedger is what the server acknowledged with a 2xx answer before it was killed.
type crashLedger struct {
	mu       sync.Mutex
	sessions map[string]string // session id → the newest refresh token received for it
	mails    []string          // recipients of acknowledged email code sends
	problems []string          // answers that were not 2xx while the server was up
	cut      int               // requests in flight at the kill, which got no answer
}

func (l *crashLedger) note(f func(l *crashLedger)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

// crashClient sends the workload's requests and sorts their outcomes into the ledger.
type crashClient struct {
	p      *latchkeyProcess
	token  string
	ledger *crashLedger
	killed *atomic.Bool
}

// call sends one request and returns its answer when it is 2xx. Anything else is recorded: a
// request cut off by the kill as such, any other failure as a problem.
func (c crashClient) call(path string, body any) (map[string]any, bool) {
	before := !c.killed.Load()
	res, err := nodeRequest(context.Background(), c.p, "POST", path, c.token, body)
	switch {
	case err != nil && c.killed.Load():
		if before {
			c.ledger.note(func(l *crashLedger) { l.cut++ })
		}
		return nil, false
	case err != nil:
		c.ledger.note(func(l *crashLedger) { l.problems = append(l.problems, err.Error()) })
		return nil, false
	case res.Status/100 != 2:
		c.ledger.note(func(l *crashLedger) {
			l.problems = append(l.problems, fmt.Sprintf("%s: status %d: %s", path, res.Status, res.Body))
		})
		return nil, false
	}
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		c.ledger.note(func(l *crashLedger) { l.problems = append(l.problems, path+": "+err.Error()) })
		return nil, false
	}
	return m, true
}

// mail sends email codes to new addresses until stop closes.
func (c crashClient) mail(worker int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		to := fmt.Sprintf("crash-mail-%d-%d@example.com", worker, i)
		if _, ok := c.call("/cis/v1/auth/otp/send", otpSendBody("email", to)); !ok {
			return
		}
		c.ledger.note(func(l *crashLedger) { l.mails = append(l.mails, to) })
	}
}

// login signs new users up with direct codes and refreshes each session twice, until a
// request fails (as they all do once the server is killed).
func (c crashClient) login(worker int) {
	for i := 0; ; i++ {
		email := fmt.Sprintf("crash-login-%d-%d@example.com", worker, i)
		sent, ok := c.call("/cis/v1/auth/otp/send", otpSendBody("direct", email))
		if !ok {
			return
		}
		code, _ := sent["code"].(string)
		tokens, ok := c.call("/cis/v1/auth/otp/authenticate", otpAuthBody(email, code))
		if !ok {
			return
		}
		sid, _ := tokens["session_id"].(string)
		for refreshes := 0; ; refreshes++ {
			rt, _ := tokens["refresh_token"].(string)
			if sid == "" || rt == "" {
				c.ledger.note(func(l *crashLedger) {
					l.problems = append(l.problems, fmt.Sprintf("tokens lack a session or refresh token: %v", tokens))
				})
				return
			}
			c.ledger.note(func(l *crashLedger) { l.sessions[sid] = rt })
			if refreshes == 2 {
				break
			}
			if tokens, ok = c.call("/cis/v1/auth/token/refresh", map[string]any{"refresh_token": rt}); !ok {
				return
			}
		}
	}
}

// TestProcessCrashLosesNothing kills the server without warning while logins and refreshes
// are in flight, restarts it on the same database, and checks that everything it
// acknowledged survived: sessions, rotated refresh tokens and queued email.
//
// The SMTP server is down until the restart, so no message is half-handed to it at the kill
// (SMTP cannot make such a message exactly-once). Email codes stop shortly before the kill,
// which waits for a moment when the outbox worker holds no message: a message leased by the
// killed process would otherwise wait out its lease (15 s) before the next process sends it.
func TestProcessCrashLosesNothing(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		smtp := deliverytest.StartSMTPServer(t, deliverytest.SMTPOptions{})
		smtp.Stop()
		// The longest grace: a refresh that committed but whose answer the kill cut off must
		// leave its predecessor, the newest token received, still usable after the restart.
		env := map[string]string{"LATCHKEY_SMTP_URL": smtp.URL(), "LATCHKEY_REFRESH_GRACE": "1m"}
		srv := startLatchkeyServer(t, st, "", env)
		boot := srv.waitBootstrap()
		tok := nodeToken(t, srv, boot.ClientID, boot.ClientSecret)
		admin := nodeToken(t, srv, boot.AdminClientID, boot.AdminClientSecret)
		wantStatus(t, nodeCall(t, srv, "PUT", "/cis/v1/applications/"+boot.AppID, admin, map[string]any{"allow_public_signup": true}), 200, "")

		ledger := &crashLedger{sessions: map[string]string{}}
		client := crashClient{p: srv, token: tok, ledger: ledger, killed: &atomic.Bool{}}
		var mailers, logins sync.WaitGroup
		stopMail := make(chan struct{})
		for w := range crashMailWorkers {
			mailers.Go(func() { client.mail(w, stopMail) })
		}
		for w := range crashLoginWorkers {
			logins.Go(func() { client.login(w) })
		}
		time.Sleep(crashMailPhase)
		close(stopMail)
		mailers.Wait()
		ledger.mu.Lock()
		mails := append([]string(nil), ledger.mails...)
		ledger.mu.Unlock()
		idleFrom := time.Now()
		if !waitOutboxIdle(srv, len(mails), crashIdleWait) {
			t.Logf("the outbox worker was never idle; killing anyway, so messages may wait out their lease")
		}
		idleWait := time.Since(idleFrom)
		client.killed.Store(true)
		srv.signal(syscall.SIGKILL)
		if code := srv.wait(); code != -1 {
			t.Fatalf("killed server exited with status %d", code)
		}
		logins.Wait()
		if len(ledger.problems) > 0 {
			t.Fatalf("%d requests failed before the kill, first: %s", len(ledger.problems), ledger.problems[0])
		}
		if len(mails) == 0 || len(ledger.sessions) == 0 {
			t.Fatalf("the workload got %d emails and %d sessions acknowledged; it needs both", len(mails), len(ledger.sessions))
		}
		t.Logf("acknowledged %d emails and %d sessions; killed %v after the last email, with %d requests in flight",
			len(mails), len(ledger.sessions), idleWait.Round(time.Millisecond), ledger.cut)

		// Same address, so the issuer of tok stays the same.
		restarted := startLatchkeyServer(t, st, srv.addr, env)
		smtp.Restart()
		for sid, rt := range ledger.sessions {
			wantStatus(t, nodeCall(t, restarted, "POST", "/cis/v1/auth/session/authenticate", tok, map[string]any{"session_id": sid}), 200, "")
			res := nodeCall(t, restarted, "POST", "/cis/v1/auth/token/refresh", tok, map[string]any{"refresh_token": rt})
			if res.Status != 200 {
				t.Fatalf("the newest refresh token acknowledged for session %s was refused after the restart: %d %s", sid, res.Status, res.Body)
			}
		}
		checkCrashMail(t, restarted, smtp, tok, mails)
	})
}

// checkCrashMail checks that each acknowledged email arrives exactly once with a live code,
// and that nothing else arrives.
func checkCrashMail(t *testing.T, p *latchkeyProcess, smtp *deliverytest.SMTPServer, tok string, mails []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), smtpWait)
	defer cancel()
	codes := map[string]string{}
	for _, to := range mails {
		msgs, err := smtp.WaitFor(ctx, to, 1)
		if err != nil {
			t.Fatalf("acknowledged email to %s was lost: %v", to, err)
		}
		codes[to] = smtpCode(t, msgs[0])
	}
	// Nothing may be sent twice: give a duplicate the time to show up.
	time.Sleep(3 * time.Second)
	got := map[string]int{}
	for _, m := range smtp.Messages() {
		got[strings.Join(m.EnvelopeTo, ",")]++
	}
	for _, to := range mails {
		if got[to] != 1 {
			t.Errorf("%s received %d messages, want exactly 1", to, got[to])
		}
	}
	if n := len(smtp.Messages()); n != len(mails) {
		t.Fatalf("the SMTP server received %d messages for %d acknowledged sends", n, len(mails))
	}
	for _, to := range mails {
		wantStatus(t, nodeCall(t, p, "POST", "/cis/v1/auth/otp/authenticate", tok, otpAuthBody(to, codes[to])), 200, "")
	}
}

// waitOutboxIdle waits, up to bound, for a moment when p's outbox worker holds no message: all
// n queued messages have failed at least once (the SMTP server is down), the last failure was
// logged long enough ago to be recorded, and no message comes due again soon. It reports
// whether it found one.
func waitOutboxIdle(p *latchkeyProcess, n int, bound time.Duration) bool {
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		if outboxIdle(p, n, time.Now()) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func outboxIdle(p *latchkeyProcess, n int, now time.Time) bool {
	next := map[string]time.Time{}
	var last time.Time
	for _, r := range p.logRecords() {
		if r["msg"] != "outbox delivery failed; will retry" {
			continue
		}
		logged, err1 := time.Parse(time.RFC3339Nano, fmt.Sprint(r["time"]))
		due, err2 := time.Parse(time.RFC3339Nano, fmt.Sprint(r["next_attempt_at"]))
		if err := errors.Join(err1, err2); err != nil {
			return false
		}
		next[fmt.Sprint(r["message_id"])] = due // later records of a message replace earlier ones
		if logged.After(last) {
			last = logged
		}
	}
	if len(next) < n || now.Sub(last) < 250*time.Millisecond {
		return false
	}
	for _, due := range next {
		if due.Sub(now) < 400*time.Millisecond {
			return false
		}
	}
	return true
}
