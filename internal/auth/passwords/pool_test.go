package passwords_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/password"
)

// TestPasswordLoginHashesInCallersTenant: every hash a password login computes, the dummy of an
// unknown name included, runs in the caller's tenant's share of the hashing pool, so that a
// flood of made-up names in one tenant queues behind that tenant alone.
func TestPasswordLoginHashesInCallersTenant(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	h, err := password.NewHasher(password.Config{Params: password.Params{Memory: 256, Time: 1, Threads: 1},
		OnRun: func(tenant string) {
			mu.Lock()
			seen = append(seen, tenant)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	orig := password.Shared()
	password.SetShared(h)
	t.Cleanup(func() { password.SetShared(orig) })

	f := newOTPFixture(t, auth.Options{})
	f.PasswordUser("ada@example.com", "ada", authtest.GoodPassword, false)
	mu.Lock()
	seen = nil
	mu.Unlock()
	_, err = f.PasswordLogin("", "nobody", authtest.OtherPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
	_, err = f.PasswordLogin("", "ada", authtest.OtherPassword, auth.Login{})
	wantCode(t, err, fault.CodeInvalidCredentials)
	if _, err := f.PasswordLogin("", "ada", authtest.GoodPassword, auth.Login{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{f.Boot.TenantID, f.Boot.TenantID, f.Boot.TenantID}; !slices.Equal(seen, want) {
		t.Fatalf("hashes ran for tenants %q, want three for %q", seen, f.Boot.TenantID)
	}
}
