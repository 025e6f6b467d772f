package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var concurrencyTests = []namedTest{
	{"ConsumeCodeOnce2", func(t *testing.T, s storage.Store) { testConsumeCodeOnce(t, s, 2) }},
	{"ConsumeCodeOnce20", func(t *testing.T, s storage.Store) { testConsumeCodeOnce(t, s, 20) }},
	{"ConsumeCodeCAS20", testConsumeCodeCAS},
	{"CountFailuresNoLostUpdate", testCountFailures},
	{"RotateRefreshTokenOnce", testRotateRefreshOnce},
	{"RotateRefreshTokenCAS", testRotateRefreshCAS},
	{"LeaseNoMessageTwice2", func(t *testing.T, s storage.Store) { testLeaseNoMessageTwice(t, s, 2) }},
	{"LeaseNoMessageTwice5", func(t *testing.T, s storage.Store) { testLeaseNoMessageTwice(t, s, 5) }},
	{"CreateUserSameEmail", testCreateUserSameEmail},
	{"LinkUserSameLink", testLinkUserSameLink},
	{"PutLockoutSameKey", testPutLockoutSameKey},
	{"CountHitNoLostHit", testCountHitNoLostHit},
	{"CredentialDataNoLostUpdate", testCredentialNoLostUpdate},
	{"LockKeySerialises", testLockKeySerialises},
	{"UserTotalsUnderConcurrentSignups", testUserTotalsConcurrent},
}

// testLockKeySerialises checks that a transaction that locks a key another one holds waits
// for it to end, and so reads what it wrote: the second attempt on a login name sees the
// lockout the first one set. The first transaction writes only after the second has started
// waiting, so a LockKey that let both run would read nothing.
func testLockKeySerialises(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	key := "pwd:user:" + model.NewID()
	locked, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InTx(t.Context(), func(tx storage.Store) error {
			if err := tx.LockKey(t.Context(), key); err != nil {
				return err
			}
			close(locked)
			time.Sleep(200 * time.Millisecond)
			return tx.PutLockout(t.Context(), model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: key, Until: at(time.Hour)})
		})
	}()
	<-locked
	var found bool
	err := s.InTx(t.Context(), func(tx storage.Store) error {
		if err := tx.LockKey(t.Context(), key); err != nil {
			return err
		}
		_, err := tx.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, key)
		found = err == nil
		if errors.Is(err, storage.ErrNotFound) {
			err = nil
		}
		return err
	})
	must(t, err, "second transaction")
	must(t, <-done, "first transaction")
	if !found {
		t.Error("the second transaction on a locked key did not see the first one's write")
	}
}

var (
	errAlreadySpent   = errors.New("code already spent")
	errAlreadyRotated = errors.New("refresh token already rotated")
)

// race runs fn(i) for i in [0, n) on n goroutines released together, and returns their
// errors. fn must not call t.Fatal: only the test's goroutines may stop the test.
func race(t *testing.T, n int, fn func(i int) error) []error {
	t.Helper()
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	waitOrDump(t, done, fmt.Sprintf("%d racing goroutines", n))
	return errs
}

// wantOneWinner checks that exactly one of errs is nil and every other one matches loser,
// and returns the winner's index.
func wantOneWinner(t *testing.T, what string, errs []error, loser func(error) bool) int {
	t.Helper()
	winner, wins := -1, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
			wins++
		case !loser(err):
			t.Errorf("%s: goroutine %d failed with %v", what, i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%s: %d of %d goroutines succeeded, want exactly 1", what, wins, len(errs))
	}
	return winner
}

func testConsumeCodeOnce(t *testing.T, s storage.Store, n int) {
	e := newEnv(t, s)
	c := makeCode(e)
	c.Failures = 0
	newCode(t, s, c)
	errs := race(t, n, func(i int) error {
		return s.UpdateCode(t.Context(), e.Tenant.ID, c.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
			if cur.ConsumedAt != nil {
				return cur, errAlreadySpent
			}
			cur.ConsumedAt = ptr(at(time.Duration(i+1) * time.Second))
			return cur, nil
		})
	})
	winner := wantOneWinner(t, "concurrent consumption of one code", errs, func(err error) bool {
		return errors.Is(err, errAlreadySpent)
	})
	got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if winner >= 0 && (got.ConsumedAt == nil || !got.ConsumedAt.Equal(at(time.Duration(winner+1)*time.Second))) {
		t.Errorf("code after the race: ConsumedAt = %v, want the winner's %v", got.ConsumedAt, at(time.Duration(winner+1)*time.Second))
	}
}

// testConsumeCodeCAS races ConsumeCode itself: one true, every other call false.
func testConsumeCodeCAS(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	c := makeCode(e)
	c.ConsumedAt = nil
	newCode(t, s, c)
	errs := race(t, 20, func(i int) error {
		ok, err := s.ConsumeCode(t.Context(), e.Tenant.ID, c.ID, at(time.Duration(i+1)*time.Second))
		if err == nil && !ok {
			return errAlreadySpent
		}
		return err
	})
	winner := wantOneWinner(t, "concurrent ConsumeCode of one code", errs, func(err error) bool {
		return errors.Is(err, errAlreadySpent)
	})
	got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if winner >= 0 && (got.ConsumedAt == nil || !got.ConsumedAt.Equal(at(time.Duration(winner+1)*time.Second))) {
		t.Errorf("code after the race: ConsumedAt = %v, want the winner's", got.ConsumedAt)
	}
}

func testCountFailures(t *testing.T, s storage.Store) {
	const n = 20
	e := newEnv(t, s)
	c := makeCode(e)
	c.Failures, c.MaxFailures = 0, 100
	newCode(t, s, c)
	errs := race(t, n, func(int) error {
		return s.UpdateCode(t.Context(), e.Tenant.ID, c.ID, func(cur model.OneTimeCode) (model.OneTimeCode, error) {
			cur.Failures++
			return cur, nil
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent increment %d failed: %v", i, err)
		}
	}
	got, err := s.GetCode(t.Context(), e.Tenant.ID, c.ID)
	must(t, err, "get code")
	if got.Failures != n {
		t.Errorf("Failures after %d concurrent increments = %d, want %d (lost updates)", n, got.Failures, n)
	}
}

func testRotateRefreshOnce(t *testing.T, s storage.Store) {
	const n = 20
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	rt := newRefresh(t, s, makeRefresh(e, sess.ID))
	successors := make([]string, n)
	for i := range successors {
		successors[i] = model.NewID()
	}
	errs := race(t, n, func(i int) error {
		return s.UpdateRefreshToken(t.Context(), e.Tenant.ID, rt.ID, func(cur model.RefreshToken) (model.RefreshToken, error) {
			if cur.RotatedAt != nil {
				return cur, errAlreadyRotated
			}
			cur.RotatedAt = ptr(at(time.Minute))
			cur.ReplacedBy = successors[i]
			return cur, nil
		})
	})
	winner := wantOneWinner(t, "concurrent rotation of one refresh token", errs, func(err error) bool {
		return errors.Is(err, errAlreadyRotated)
	})
	got, err := s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
	must(t, err, "get refresh token")
	if winner >= 0 && got.ReplacedBy != successors[winner] {
		t.Errorf("refresh token after the race: ReplacedBy = %q, want the winner's %q", got.ReplacedBy, successors[winner])
	}
}

// testRotateRefreshCAS races RotateRefreshToken itself: one succeeds, every other call finds
// no live token.
func testRotateRefreshCAS(t *testing.T, s storage.Store) {
	const n = 20
	e := newEnv(t, s)
	sess := newSession(t, s, makeSession(e))
	rt := newRefresh(t, s, makeRefresh(e, sess.ID))
	successors := make([]string, n)
	for i := range successors {
		successors[i] = model.NewID()
	}
	errs := race(t, n, func(i int) error {
		_, err := s.RotateRefreshToken(t.Context(), e.Tenant.ID, rt.ClientID, rt.TokenHash, successors[i], at(time.Minute))
		if errors.Is(err, storage.ErrNotFound) {
			return errAlreadyRotated
		}
		return err
	})
	winner := wantOneWinner(t, "concurrent RotateRefreshToken", errs, func(err error) bool {
		return errors.Is(err, errAlreadyRotated)
	})
	got, err := s.GetRefreshTokenByHash(t.Context(), rt.TokenHash)
	must(t, err, "get refresh token")
	if winner >= 0 && got.ReplacedBy != successors[winner] {
		t.Errorf("refresh token after the race: ReplacedBy = %q, want the winner's %q", got.ReplacedBy, successors[winner])
	}
}

func testLeaseNoMessageTwice(t *testing.T, s storage.Store, workers int) {
	const total = 50
	tenant := newTenant(t, s)
	var want []string
	for i := range total {
		want = append(want, newMessage(t, s, makeMessage(tenant.ID, at(-time.Duration(i+1)*time.Second))).ID)
	}
	leased := make([][]string, workers)
	errs := race(t, workers, func(w int) error {
		// Each worker leases small batches until nothing is left; the lease outlasts the
		// test, so nothing is leased twice unless two workers got it at once.
		for range total {
			batch, err := s.LeaseMessages(t.Context(), base, at(oneDay), 7)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			if len(batch) > 7 {
				return fmt.Errorf("lease returned %d messages, more than the limit 7", len(batch))
			}
			leased[w] = append(leased[w], idsOf(batch)...)
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
	var all []string
	for _, ids := range leased {
		all = append(all, ids...)
	}
	slices.Sort(all)
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Errorf("message %s was leased twice", all[i])
		}
	}
	slices.Sort(want)
	if got := slices.Compact(all); !slices.Equal(got, want) {
		t.Errorf("leased %d distinct messages, want all %d", len(got), total)
	}
}

func testCreateUserSameEmail(t *testing.T, s storage.Store) {
	const n = 20
	tenant := newTenant(t, s)
	users := make([]model.User, n)
	for i := range users {
		users[i] = makeUser(tenant.ID)
		users[i].Email = "contested@example.com"
	}
	errs := race(t, n, func(i int) error { return s.CreateUser(t.Context(), users[i]) })
	winner := wantOneWinner(t, "concurrent creation of users with one email", errs, func(err error) bool {
		var dup *storage.DuplicateError
		return errors.As(err, &dup) && dup.Field == "email" && errors.Is(err, storage.ErrAlreadyExists)
	})
	list, total := listUsers(t, s, model.UserQuery{TenantID: tenant.ID, Limit: 100})
	if total != 1 {
		t.Errorf("users after the race: total %d, want 1", total)
	}
	if winner >= 0 {
		wantIDs(t, "users after the race", list, users[winner].ID)
	}
}

func testLinkUserSameLink(t *testing.T, s storage.Store) {
	const n = 10
	e := newEnv(t, s)
	errs := race(t, n, func(int) error { return s.LinkUser(t.Context(), makeAppUser(e)) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent LinkUser %d: %v", i, err)
		}
	}
	got, err := s.GetAppUser(t.Context(), e.Tenant.ID, e.App.ID, e.User.ID)
	must(t, err, "get app user")
	wantEqual(t, "link after concurrent LinkUser", got, makeAppUser(e))
	_, total := listUsers(t, s, model.UserQuery{TenantID: e.Tenant.ID, AppID: e.App.ID, Limit: 10})
	if total != 1 {
		t.Errorf("linked users after concurrent LinkUser: total %d, want 1", total)
	}
}

func testPutLockoutSameKey(t *testing.T, s storage.Store) {
	const n = 10
	e := newEnv(t, s)
	lock := func(i int) model.Lockout {
		return model.Lockout{TenantID: e.Tenant.ID, AppID: e.App.ID, Key: "otp:email:x@example.com", Until: at(time.Duration(i+1) * time.Minute)}
	}
	errs := race(t, n, func(i int) error { return s.PutLockout(t.Context(), lock(i)) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent PutLockout %d: %v", i, err)
		}
	}
	got, err := s.GetLockout(t.Context(), e.Tenant.ID, e.App.ID, lock(0).Key)
	must(t, err, "get lockout")
	found := false
	for i := range n {
		found = found || got.Until.Equal(lock(i).Until)
	}
	if !found {
		t.Errorf("lockout after concurrent PutLockout: Until = %v, want one of the values put", got.Until)
	}
}

func testCountHitNoLostHit(t *testing.T, s storage.Store) {
	const n = 50
	const key = "send:identifier:contested@example.com"
	end := at(time.Hour)
	counts := make([]int64, n)
	resets := make([]time.Time, n)
	errs := race(t, n, func(i int) error {
		var err error
		counts[i], resets[i], err = s.CountHit(t.Context(), key, at(time.Duration(i)*time.Millisecond), end)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent CountHit %d: %v", i, err)
		}
	}
	// Each hit saw the counter at a different value: together, exactly 1 to n.
	slices.Sort(counts)
	for i, c := range counts {
		if c != int64(i+1) {
			t.Errorf("counts returned by %d concurrent hits, sorted: %v, want 1 to %d (lost or doubled hits)", n, counts, n)
			break
		}
	}
	for i, r := range resets {
		if !r.Equal(end) {
			t.Errorf("concurrent CountHit %d: resetAt %v, want %v", i, r, end)
		}
	}
	got, _, err := s.CountHit(t.Context(), key, at(time.Minute), end)
	must(t, err, "count a hit after the race")
	if got != n+1 {
		t.Errorf("hit after %d concurrent hits counted %d, want %d", n, got, n+1)
	}
}
