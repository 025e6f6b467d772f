package passwords_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/auth/authtest"
	"github.com/latchkey/latchkey/internal/auth/passwords"

	"golang.org/x/crypto/argon2"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
	"github.com/latchkey/latchkey/internal/tenancy"
	"github.com/latchkey/latchkey/internal/token"
)

// BenchmarkPasswordLogin measures a whole password login (lookups, lockout check, argon2id
// verification in the pool, the write transaction, signing the ID and access tokens) against
// argon2id alone at the same parameters, interleaved in one loop so that both see the same
// machine. It reports raw/login, the share of a login's time that is the hash itself (the
// target is at least 0.9), for each token signing algorithm, since signing is most of the rest.
func BenchmarkPasswordLogin(b *testing.B) {
	h, err := password.NewHasher(password.Config{Params: password.DefaultParams()})
	if err != nil {
		b.Fatal(err)
	}
	orig := password.Shared()
	password.SetShared(h)
	b.Cleanup(func() { password.SetShared(orig) })
	for _, alg := range []string{model.AlgRS256, model.AlgES256} {
		b.Run(alg, func(b *testing.B) { benchLogin(b, alg, h.Params()) })
	}
}

func benchLogin(b *testing.B, alg string, p password.Params) {
	svc, caller := benchService(b, alg)
	ctx := b.Context()
	u := model.User{ID: model.NewID(), TenantID: caller.TenantID, Email: "bench@example.com", Status: model.UserActive}
	if err := svc.store.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	if err := svc.store.LinkUser(ctx, model.AppUser{TenantID: caller.TenantID, AppID: caller.AppID, UserID: u.ID}); err != nil {
		b.Fatal(err)
	}
	err := svc.RegisterPassword(ctx, caller, passwords.PasswordRegister{UserID: u.ID, Password: authtest.GoodPassword, EnforceComplexity: true})
	if err != nil {
		b.Fatal(err)
	}
	req := passwords.PasswordAuthenticate{Username: "bench@example.com", UsernameType: "email", Password: authtest.GoodPassword}
	salt := []byte("0123456789abcdef")
	var login, raw time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := svc.AuthenticatePassword(ctx, caller, req); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		argon2.IDKey([]byte(authtest.GoodPassword), salt, p.Time, p.Memory, p.Threads, 32)
		login, raw = login+mid.Sub(start), raw+time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(login.Microseconds())/n/1000, "login-ms/op")
	b.ReportMetric(float64(raw.Microseconds())/n/1000, "argon2id-ms/op")
	b.ReportMetric(float64(raw)/float64(login), "raw/login")
}

type benchSvc struct {
	*passwords.Service
	store *sqlstore.Store
}

// benchService is an auth service over a SQLite store with a bootstrapped tenant that signs
// with alg.
func benchService(b *testing.B, alg string) (benchSvc, model.Caller) {
	store := sqlstore.NewTestStore(b, false)
	keys, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		b.Fatal(err)
	}
	tokens, err := token.NewManager(store, keys, token.Options{Issuer: "https://latchkey.test"})
	if err != nil {
		b.Fatal(err)
	}
	// Bootstrap keeps a tenant it finds, with its algorithm.
	err = store.CreateTenant(b.Context(), model.Tenant{ID: model.NewID(), Name: "default", SigningAlg: alg, CreatedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	ten := tenancy.New(store, keys, tokens, tenancy.Options{})
	boot, err := ten.Bootstrap(b.Context(), "default", false)
	if err != nil {
		b.Fatal(err)
	}
	svc := auth.New(store, tokens, keys, ten, auth.Options{Issuer: "https://latchkey.test"})
	return benchSvc{Service: passwords.New(svc), store: store}, model.Caller{TenantID: boot.TenantID, AppID: boot.AppID, ClientID: boot.ClientID}
}
