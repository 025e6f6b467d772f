package passkeys_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// xdLogin begins a cross-device login for username and returns its ticket.
func (f *pkFixture) xdLogin(username string) string {
	f.T.Helper()
	out, err := f.pk.InitCrossDeviceLogin(f.Ctx, passkeys.CrossDeviceLoginInit{ClientID: f.Boot.ClientID, Username: username})
	if err != nil {
		f.T.Fatalf("init cross-device login: %v", err)
	}
	return out.Ticket
}

// race runs fn on n goroutines at once and returns their errors.
func race(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func codeOf(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

// The ticket is stored as a keyed hash only: nothing in its record is the ticket.
func TestCrossDeviceTicketIsStoredHashed(t *testing.T) {
	f := newPKFixture(t)
	ticket := f.xdLogin("")
	if len(ticket) < 43 {
		t.Fatalf("ticket %q is shorter than 256 bits", ticket)
	}
	if _, err := f.Store.FindCrossDeviceTicket(f.Ctx, []byte(ticket)); err == nil {
		t.Fatal("a ticket was found by its clear value")
	}
	tk, err := f.Store.FindCrossDeviceTicket(f.Ctx, passkeys.TicketHash(f.Keys, ticket))
	if err != nil {
		t.Fatalf("find by keyed hash: %v", err)
	}
	if bytes.Contains(tk.Hash, []byte(ticket)) || tk.AppID != f.Boot.AppID || tk.Status != model.CrossDevicePending {
		t.Fatalf("stored ticket: %+v", tk)
	}
}

// Of concurrent starts on one ticket one opens the flow's ceremony; the others' ceremonies,
// if they opened one, never finish, and the winner's does.
func TestCrossDeviceConcurrentStartsOpenOneCeremony(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ada@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	ticket := f.xdLogin("ada@example.com")
	var mu sync.Mutex
	var won []passkeys.PasskeyCeremony
	errs := race(6, func() error {
		cer, err := f.pk.StartCrossDeviceLogin(f.Ctx, ticket, "")
		if err == nil {
			mu.Lock()
			won = append(won, cer)
			mu.Unlock()
		}
		return err
	})
	for _, err := range errs {
		if err != nil && codeOf(err) != passkeys.CodeTicketUsed {
			t.Fatalf("a losing start failed with %v, want %s", err, passkeys.CodeTicketUsed)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d starts opened the flow's ceremony, want 1", len(won))
	}
	if _, err := f.finishLogin(f.answer(a, won[0], false)); err != nil {
		t.Fatalf("the winning ceremony: %v", err)
	}
	st, err := f.pk.CrossDeviceStatus(f.Ctx, ticket)
	if err != nil || st.Status != model.CrossDeviceSuccess || st.SessionID == "" {
		t.Fatalf("status after the login: %+v, %v", st, err)
	}
}

// A plain login of the same user, finished while a flow waits, is no ticket's and leaves the
// flow alone; the flow's own ceremony still finishes it.
func TestCrossDevicePlainLoginLeavesTheFlowAlone(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ada@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	ticket := f.xdLogin("ada@example.com")
	first, err := f.pk.StartCrossDeviceLogin(f.Ctx, ticket, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.login(a, "ada@example.com"); err != nil {
		t.Fatalf("plain login: %v", err)
	}
	if st, _ := f.pk.CrossDeviceStatus(f.Ctx, ticket); st.Status != model.CrossDeviceScanned {
		t.Fatalf("a plain login moved the flow to %q", st.Status)
	}
	if _, err := f.finishLogin(f.answer(a, first, false)); err != nil {
		t.Fatalf("the flow's ceremony: %v", err)
	}
}

// One device attaches; the others are refused.
func TestCrossDeviceConcurrentAttach(t *testing.T) {
	f := newPKFixture(t)
	ticket := f.xdLogin("")
	errs := race(6, func() error {
		_, err := f.pk.AttachCrossDeviceDevice(f.Ctx, ticket)
		return err
	})
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case codeOf(err) != passkeys.CodeTicketUsed:
			t.Fatalf("a losing attach failed with %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d devices attached, want 1", ok)
	}
}

// After a successful login, of concurrent polls one learns the session.
func TestCrossDeviceSessionIsShownOnce(t *testing.T) {
	f := newPKFixture(t)
	u := f.User("ada@example.com", "")
	a := f.authenticator()
	f.register(a, u.ID)
	ticket := f.xdLogin("")
	cer, err := f.pk.StartCrossDeviceLogin(f.Ctx, ticket, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.finishLogin(f.answer(a, cer, false))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var shown []string
	race(6, func() error {
		st, err := f.pk.CrossDeviceStatus(f.Ctx, ticket)
		if err == nil && st.SessionID != "" {
			mu.Lock()
			shown = append(shown, st.SessionID)
			mu.Unlock()
		}
		return err
	})
	if len(shown) != 1 || shown[0] != tok.SessionID {
		t.Fatalf("polls learnt sessions %v, want the login's %s once", shown, tok.SessionID)
	}
}

// A flow's status moves only by its ceremony: polling, attaching and starting never make it
// succeed.
func TestCrossDevicePollingCannotSucceed(t *testing.T) {
	f := newPKFixture(t)
	f.register(f.authenticator(), f.User("ada@example.com", "").ID)
	ticket := f.xdLogin("ada@example.com")
	for range 3 {
		if st, err := f.pk.CrossDeviceStatus(f.Ctx, ticket); err != nil || st.Status != model.CrossDevicePending || st.SessionID != "" {
			t.Fatalf("poll: %+v, %v", st, err)
		}
	}
	if _, err := f.pk.AttachCrossDeviceDevice(f.Ctx, ticket); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pk.StartCrossDeviceLogin(f.Ctx, ticket, ""); err != nil {
		t.Fatal(err)
	}
	if st, err := f.pk.CrossDeviceStatus(f.Ctx, ticket); err != nil || st.Status != model.CrossDeviceScanned || st.SessionID != "" {
		t.Fatalf("poll after the start: %+v, %v", st, err)
	}
}

// A flow's beginning and its abort are in the audit log, with the flow's kind.
func TestCrossDeviceAudit(t *testing.T) {
	f := newPKFixture(t)
	ticket := f.xdLogin("")
	if _, err := f.pk.AbortCrossDevice(f.Ctx, f.Caller, ticket); err != nil {
		t.Fatal(err)
	}
	// An abort of an aborted flow changes nothing and records nothing.
	if _, err := f.pk.AbortCrossDevice(f.Ctx, f.Caller, ticket); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range f.events(model.EventWebAuthnCrossDevice) {
		d := details(t, e)
		if d["flow"] != model.CrossDeviceAuthenticate || e.AppID != f.Boot.AppID {
			t.Errorf("event %+v details %v", e, d)
		}
		steps = append(steps, d["step"].(string))
	}
	if len(steps) != 2 || steps[0] != "aborted" || steps[1] != "begun" {
		t.Fatalf("cross-device events, newest first: %v, want [aborted begun]", steps)
	}
}
