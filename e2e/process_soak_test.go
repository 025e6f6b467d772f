package e2e

import (
	"flag"
	"sync"
	"testing"
	"time"
)

// The soak's faults. CI runs soakKills kills; the -soak-kills flag asks for more, and the
// connection drops and SMTP outages between them grow in step (see docs/operations.md).
const (
	soakKills    = 4
	soakPause    = 1500 * time.Millisecond // workload alone between faults
	soakDowntime = time.Second             // how long a killed node stays down
	soakOutage   = 3 * time.Second         // how long the SMTP server is down
	// soakLeaseBound bounds the time from a kill to the delivery of every message the killed
	// node held: one lease (15 s), a poll, and ample margin for a slow machine and for retries
	// should the lease end during an SMTP outage. It checks that the message is not stranded,
	// not how fast it goes.
	soakLeaseBound = 60 * time.Second
	// soakSettle bounds the wait, once the workload stops, for the outbox to hold nothing
	// undelivered.
	soakSettle = 90 * time.Second
)

// A flag rather than a LATCHKEY_ variable: Latchkey reports unknown LATCHKEY_ variables.
var soakKillsFlag = flag.Int("soak-kills", soakKills,
	"how many times TestProcessSoakRidesThroughFaults kills a node; connection drops and SMTP outages alternate between the kills")

// TestProcessSoakRidesThroughFaults runs two nodes on one PostgreSQL database under a steady
// workload (email codes, logins with direct codes, refreshes, spread over both nodes) while
// faults strike in turn: each node killed with SIGKILL in the middle of a send and restarted,
// all of a node's database connections dropped, and the SMTP server down for a while. Then
// everything acknowledged must have lasted: each acknowledged email arrives exactly once with
// a live code, each acknowledged session and its newest refresh token work; no request answers
// an error except those a kill cut off or a connection drop hit while under way; and the
// messages a killed node held are sent by a live node once the lease ends.
func TestProcessSoakRidesThroughFaults(t *testing.T) {
	t.Parallel()
	kills := *soakKillsFlag
	if kills < 1 {
		t.Fatalf("-soak-kills %d: want at least one kill", kills)
	}
	began := time.Now()
	latchkeyBinary(t) // built once for all the process tests; its time is not the soak's
	t.Logf("latchkey binary ready in %s", time.Since(began).Round(time.Millisecond))
	began = time.Now()
	c := startSoakCluster(t)
	t.Logf("two nodes up in %s", time.Since(began).Round(time.Millisecond))

	stop := make(chan struct{})
	var load sync.WaitGroup
	for w := range soakMailWorkers {
		load.Go(func() { c.mail(w, stop) })
	}
	for w := range soakLoginWorkers {
		load.Go(func() { c.login(w, stop) })
	}
	faultsFrom := time.Now()
	var killed []killRecord
	drops, outages := 0, 0
	for r := range kills {
		time.Sleep(soakPause)
		rec := c.kill(r%2, soakDowntime)
		killed = append(killed, rec)
		t.Logf("kill %d: %s killed (mid-send: %v), %d messages leased at the kill, back after %s",
			r+1, c.nodes[rec.node].name, rec.held, len(rec.leased), rec.down.Round(time.Millisecond))
		time.Sleep(soakPause)
		if r%2 == 0 {
			i := (r / 2) % 2
			n, took := c.dropConnections(i)
			drops++
			t.Logf("drop %d: %s's %d PostgreSQL connections ended within %s", drops, c.nodes[i].name, n, took.Round(time.Millisecond))
		} else {
			from := time.Now()
			c.smtpOutage(soakOutage)
			outages++
			t.Logf("outage %d: SMTP server down for %s", outages, time.Since(from).Round(time.Millisecond))
		}
	}
	time.Sleep(soakPause)
	close(stop)
	load.Wait()
	faultsTook := time.Since(faultsFrom)

	l := c.ledger
	t.Logf("workload: %d requests in %s; %d emails and %d sessions acknowledged; %d requests cut off by kills, "+
		"%d refreshes acknowledged on a second try, %d errors from requests under way during a connection drop",
		l.requests, faultsTook.Round(time.Millisecond), len(l.mails), len(l.sessions), l.cut, l.refreshRetries, len(l.dropFailures))
	for _, f := range l.dropFailures {
		t.Logf("during a connection drop: %s", f)
	}
	c.logNodeLines(l.dropRequestIDs...)
	// Only a request under way when its connection ended may fail, once: no more than the
	// workload had in flight.
	if inFlight := drops * (soakMailWorkers + soakLoginWorkers); len(l.dropFailures) > inFlight {
		t.Errorf("%d requests failed during %d connection drops, more than the %d the workload can have under way", len(l.dropFailures), drops, inFlight)
	}
	if len(l.problems) > 0 {
		for _, p := range l.problems {
			t.Errorf("request failed outside any fault: %s", p)
		}
		t.FailNow()
	}
	if len(l.mails) == 0 || len(l.sessions) == 0 {
		t.Fatalf("the workload got %d emails and %d sessions acknowledged; it needs both", len(l.mails), len(l.sessions))
	}

	settled := c.waitOutboxDelivered(soakSettle)
	t.Logf("the outbox held nothing undelivered %s after the workload stopped", settled.Round(time.Millisecond))
	c.checkLeasesTakenOver(killed)
	checksFrom := time.Now()
	c.checkSoakMail()
	c.checkSoakSessions()
	t.Logf("every acknowledged code and session checked in %s", time.Since(checksFrom).Round(time.Millisecond))
	t.Logf("soak of %d kills, %d connection drops and %d SMTP outages took %s in all",
		kills, drops, outages, time.Since(began).Round(time.Millisecond))
}
