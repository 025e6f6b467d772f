package sealing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

func backends(t *testing.T, f func(t *testing.T, s storage.Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, sqlstore.NewTestStore(t, false)) })
	t.Run("postgres", func(t *testing.T) { f(t, sqlstore.NewTestStore(t, true)) })
}

func newKeys(t *testing.T) *secret.Keys {
	t.Helper()
	k, err := secret.NewKeys(secret.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func seal(t *testing.T, k *secret.Keys, plain string, ad []byte) []byte {
	t.Helper()
	b, err := k.Seal([]byte(plain), ad)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWrongMasterKeyIsRefused: the first start writes the check value; a start with another
// key is refused with ErrWrongMasterKey, and so is one on a database sealed before check
// values existed whose signing key the key does not open.
func TestWrongMasterKeyIsRefused(t *testing.T) {
	backends(t, func(t *testing.T, s storage.Store) {
		ctx, now := context.Background(), time.Now()
		right, wrong := newKeys(t), newKeys(t)
		tenant := model.Tenant{ID: model.NewID(), Name: "t", SigningAlg: model.AlgES256, CreatedAt: now}
		if err := s.CreateTenant(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		kid := model.NewID()
		if err := s.CreateSigningKey(ctx, model.SigningKey{ID: kid, TenantID: tenant.ID, Algorithm: model.AlgES256,
			Status: model.KeySigning, PublicJWK: []byte(`{}`), PrivateEnc: seal(t, right, "der", sealing.SigningKeyAD(tenant.ID, kid)),
			CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		// No check value yet (a database from before them): the signing key decides.
		if err := sealing.VerifyMasterKey(ctx, s, wrong, now); !errors.Is(err, sealing.ErrWrongMasterKey) {
			t.Fatalf("another key on an unchecked database: %v, want ErrWrongMasterKey", err)
		}
		if _, err := s.GetSealedCheck(ctx, "master_key"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a refused key wrote a check value: %v", err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, right, now); err != nil {
			t.Fatalf("the right key: %v", err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, right, now); err != nil {
			t.Fatalf("the right key, checked: %v", err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, wrong, now); !errors.Is(err, sealing.ErrWrongMasterKey) {
			t.Fatalf("another key: %v, want ErrWrongMasterKey", err)
		}
	})
}

// TestResealMovesEverySealedValue reseals a database holding every kind of sealed value and
// checks that each opens under the new key only, that the old key is then refused, and that a
// reseal from a key that does not open the database changes nothing.
func TestResealMovesEverySealedValue(t *testing.T) {
	backends(t, func(t *testing.T, s storage.Store) {
		ctx, now := context.Background(), time.Now()
		old, next, stranger := newKeys(t), newKeys(t), newKeys(t)
		if err := sealing.VerifyMasterKey(ctx, s, old, now); err != nil {
			t.Fatal(err)
		}
		tenant := model.Tenant{ID: model.NewID(), Name: "t", SigningAlg: model.AlgES256, CreatedAt: now,
			WebhookURL: "https://hooks.example"}
		tenant.WebhookSecret = seal(t, old, "whsec_x", sealing.WebhookAD(tenant.ID))
		must(t, s.CreateTenant(ctx, tenant))
		kid := model.NewID()
		must(t, s.CreateSigningKey(ctx, model.SigningKey{ID: kid, TenantID: tenant.ID, Algorithm: model.AlgES256,
			Status: model.KeySigning, PublicJWK: []byte(`{}`), PrivateEnc: seal(t, old, "der", sealing.SigningKeyAD(tenant.ID, kid)),
			CreatedAt: now, UpdatedAt: now}))
		user := model.User{ID: model.NewID(), TenantID: tenant.ID, Email: "u@example.com", Status: model.UserActive, CreatedAt: now, UpdatedAt: now}
		must(t, s.CreateUser(ctx, user))
		cred := model.Credential{ID: model.NewID(), TenantID: tenant.ID, UserID: user.ID, Type: model.CredentialTOTP,
			CreatedAt: now, UpdatedAt: now}
		cred.Secret = seal(t, old, "JBSWY3DPEHPK3PXP", sealing.TOTPAD(tenant.ID, cred.ID))
		must(t, s.CreateCredential(ctx, cred))
		msg := model.OutboxMessage{ID: model.NewID(), TenantID: tenant.ID, Kind: model.MessageEmail, To: "u@example.com",
			NextAttemptAt: now, CreatedAt: now}
		msg.Sealed = seal(t, old, "body", sealing.MessageAD(tenant.ID, msg.ID, msg.Kind, msg.To))
		must(t, s.EnqueueMessage(ctx, msg))
		sess := model.Session{ID: old.SessionRef("s3ss10n"), TenantID: tenant.ID, UserID: user.ID,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		sess.SealedID = seal(t, old, "s3ss10n", sealing.SessionIDAD(tenant.ID, sess.ID))
		must(t, s.CreateSession(ctx, sess))

		if _, err := sealing.Reseal(ctx, s, stranger, next); !errors.Is(err, sealing.ErrWrongMasterKey) {
			t.Fatalf("reseal from a key that opens nothing: %v, want ErrWrongMasterKey", err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, old, now); err != nil {
			t.Fatalf("a refused reseal changed the database: %v", err)
		}

		n, err := sealing.Reseal(ctx, s, old, next)
		if err != nil || n != 6 {
			t.Fatalf("reseal: %d values, %v; want 6 (key, TOTP, webhook, message, session id, check)", n, err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, next, now); err != nil {
			t.Fatalf("the new key after reseal: %v", err)
		}
		if err := sealing.VerifyMasterKey(ctx, s, old, now); !errors.Is(err, sealing.ErrWrongMasterKey) {
			t.Fatalf("the old key after reseal: %v, want ErrWrongMasterKey", err)
		}
		opens := func(what string, sealed []byte, ad []byte, want string) {
			t.Helper()
			got, err := next.Open(sealed, ad)
			if err != nil || string(got) != want {
				t.Errorf("%s under the new key: %q, %v", what, got, err)
			}
			if _, err := old.Open(sealed, ad); err == nil {
				t.Errorf("%s still opens under the old key", what)
			}
		}
		tn, _ := s.GetTenant(ctx, tenant.ID)
		opens("webhook secret", tn.WebhookSecret, sealing.WebhookAD(tenant.ID), "whsec_x")
		keys, _ := s.ListSigningKeys(ctx, tenant.ID)
		opens("signing key", keys[0].PrivateEnc, sealing.SigningKeyAD(tenant.ID, kid), "der")
		c, _ := s.GetCredential(ctx, tenant.ID, cred.ID)
		opens("TOTP key", c.Secret, sealing.TOTPAD(tenant.ID, cred.ID), "JBSWY3DPEHPK3PXP")
		m, _ := s.GetMessage(ctx, msg.ID)
		opens("message body", m.Sealed, sealing.MessageAD(tenant.ID, msg.ID, msg.Kind, msg.To), "body")
		se, _ := s.GetSession(ctx, tenant.ID, sess.ID)
		opens("session id", se.SealedID, sealing.SessionIDAD(tenant.ID, sess.ID), "s3ss10n")
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
