package directory

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

// The credential rule: who may give a user something to sign in with, on whose proof.
func TestAllowCredential(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		own := e.create(t, e.clientA, CreateInput{Email: "own@example.com"}).ID
		shared := e.create(t, e.clientA, CreateInput{Email: "shared@example.com"}).ID
		if linked := e.create(t, e.clientB, CreateInput{Email: "shared@example.com"}).ID; linked != shared {
			t.Fatalf("creating with a taken email linked %s, want %s", linked, shared)
		}
		adminsUser := e.create(t, e.admin, CreateInput{Email: "boss@example.com"}).ID
		notLinked := e.create(t, e.clientB, CreateInput{Email: "elsewhere@example.com"}).ID

		for _, c := range []struct {
			name   string
			caller model.Caller
			user   string
			proof  Proof
			wantOK bool
		}{
			{"own user", e.clientA, own, ByCaller, true},
			{"management caller", e.admin, shared, ByCaller, true},
			{"shared user, the application's word", e.clientA, shared, ByCaller, false},
			{"shared user, linked later, the application's word", e.clientB, shared, ByCaller, false},
			{"shared user, the person's proof", e.clientB, shared, ByUser, true},
			{"the admin's user", e.clientA, adminsUser, ByCaller, false},
			{"a user of another application only", e.clientA, notLinked, ByCaller, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := AllowCredential(t.Context(), e.store, c.caller, c.user, c.proof)
				if c.wantOK && err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !c.wantOK && !errors.Is(err, ErrSharedUser) {
					t.Fatalf("got %v, want user_shared", err)
				}
			})
		}
	})
}

// A grant writes only the credentials of the user it was given for, and records the
// application they were added through.
func TestCredentialGrantWritesOnlyItsUser(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		own := e.create(t, e.clientA, CreateInput{Email: "own@example.com"}).ID
		other := e.create(t, e.clientA, CreateInput{Email: "other@example.com"}).ID
		g, err := AllowCredential(ctx, e.store, e.clientA, own, ByCaller)
		if err != nil {
			t.Fatal(err)
		}
		cred := func(user string) model.Credential {
			return model.Credential{ID: model.NewID(), TenantID: e.tenant, UserID: user, Type: model.CredentialRecovery,
				Name: "code", CreatedAt: fixedNow, UpdatedAt: fixedNow}
		}
		if err := g.Create(ctx, e.store, cred(other)); err == nil {
			t.Fatal("a grant for one user created a credential of another")
		}
		mine := cred(own)
		if err := g.Create(ctx, e.store, mine); err != nil {
			t.Fatal(err)
		}
		got, err := e.store.GetCredential(ctx, e.tenant, mine.ID)
		if err != nil || got.AppID != e.clientA.AppID {
			t.Fatalf("stored credential %+v, %v; want it recorded as added through application A", got, err)
		}
		theirs := cred(other)
		if err := e.store.CreateCredential(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		err = g.Update(ctx, e.store, theirs.ID, func(c model.Credential) (model.Credential, error) {
			c.Secret = []byte("taken over")
			return c, nil
		})
		if err == nil {
			t.Fatal("a grant for one user updated a credential of another")
		}
		if got, _ := e.store.GetCredential(ctx, e.tenant, theirs.ID); got.Secret != nil {
			t.Fatalf("the other user's credential changed: %+v", got)
		}
		if _, err := AllowCredential(ctx, e.store, e.clientA, "", ByUser); err == nil {
			t.Fatal("a grant for no user")
		}
	})
}
