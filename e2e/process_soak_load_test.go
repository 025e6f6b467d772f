package e2e

import (
	"fmt"
	"time"
)

// Pace of the soak's workload: enough to keep both nodes and their outbox workers busy through
// every fault, little enough for a small, shared machine.
const (
	soakMailWorkers  = 2
	soakLoginWorkers = 3
	soakMailPause    = 100 * time.Millisecond // between one mail worker's sends
	soakLoginPause   = 20 * time.Millisecond  // between one login worker's users
	soakRefreshes    = 3                      // refreshes of each session
	soakRetries      = 5                      // tries of a refresh whose outcome stays unknown
)

// soakLedger is what the nodes acknowledged, as crashLedger, and what the faults cost.
type soakLedger struct {
	crashLedger
	requests       int
	dropFailures   []string // 5xx answers to requests under way while a node's connections dropped
	dropRequestIDs []string // their request ids, which find their causes in the nodes' logs
	refreshRetries int      // refreshes acknowledged on a second try, after a cut-off answer
}

func (l *soakLedger) add(f func(l *soakLedger)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

func (l *soakLedger) problem(format string, args ...any) {
	l.add(func(l *soakLedger) { l.problems = append(l.problems, fmt.Sprintf(format, args...)) })
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// mail sends email codes to new addresses, alternating between the nodes, until stop closes.
func (c *soakCluster) mail(worker int, stop <-chan struct{}) {
	for i := 0; !stopped(stop); i++ {
		to := fmt.Sprintf("soak-mail-%d-%d@example.com", worker, i)
		if _, o := c.call((worker+i)%2, "/cis/v1/auth/otp/send", otpSendBody("email", to)); o == acked {
			c.ledger.add(func(l *soakLedger) { l.mails = append(l.mails, to) })
		}
		time.Sleep(soakMailPause)
	}
}

// login signs new users up with direct codes, alternating between the nodes, and refreshes
// each session a few times, until stop closes. A user whose sign-in fails is left behind.
func (c *soakCluster) login(worker int, stop <-chan struct{}) {
	for i := 0; !stopped(stop); i++ {
		time.Sleep(soakLoginPause)
		email := fmt.Sprintf("soak-login-%d-%d@example.com", worker, i)
		sent, o := c.call(i%2, "/cis/v1/auth/otp/send", otpSendBody("direct", email))
		if o != acked {
			continue
		}
		code, _ := sent["code"].(string)
		tokens, o := c.call((i+1)%2, "/cis/v1/auth/otp/authenticate", otpAuthBody(email, code))
		if o != acked {
			continue
		}
		sid, _ := tokens["session_id"].(string)
		for r := 0; ; r++ {
			rt, _ := tokens["refresh_token"].(string)
			if sid == "" || rt == "" {
				c.ledger.problem("tokens lack a session or refresh token: %v", tokens)
				break
			}
			c.ledger.add(func(l *soakLedger) { l.sessions[sid] = rt })
			if r == soakRefreshes || stopped(stop) {
				break
			}
			if tokens = c.refresh(i+r, rt); tokens == nil {
				break
			}
			if got, _ := tokens["session_id"].(string); got != sid {
				c.ledger.problem("refreshing session %s answered session %q", sid, got)
				break
			}
		}
	}
}

// refresh rotates rt and returns the answer. A refresh whose outcome is unknown is tried again
// with the same token, on the other node first: if the first try took effect, the grace period
// makes the second return the same successor, as a client retrying after a network error
// expects.
func (c *soakCluster) refresh(prefer int, rt string) map[string]any {
	for try := range soakRetries {
		m, o := c.call((prefer+try)%2, "/cis/v1/auth/token/refresh", map[string]any{"refresh_token": rt})
		switch o {
		case acked:
			if try > 0 {
				c.ledger.add(func(l *soakLedger) { l.refreshRetries++ })
			}
			return m
		case failed:
			return nil
		}
	}
	c.ledger.problem("a refresh had no answer in %d tries", soakRetries)
	return nil
}
