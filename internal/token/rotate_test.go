package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func statuses(t *testing.T, e *env, tid string) map[string]string {
	t.Helper()
	recs, err := e.store.ListSigningKeys(e.ctx, tid)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs {
		out[r.ID] = r.Status
	}
	return out
}

func TestEnsureKeys(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		tid := e.tenant(model.AlgES256)
		for range 2 { // idempotent
			if err := m.EnsureKeys(e.ctx, tid); err != nil {
				t.Fatal(err)
			}
		}
		recs, _ := e.store.ListSigningKeys(e.ctx, tid)
		count := map[string]int{}
		for _, r := range recs {
			count[r.Status]++
			if r.Algorithm != model.AlgES256 {
				t.Errorf("key %s has algorithm %s", r.ID, r.Algorithm)
			}
		}
		if len(recs) != 2 || count[model.KeySigning] != 1 || count[model.KeyValidating] != 1 {
			t.Errorf("keys after EnsureKeys: %v", count)
		}
		if err := m.EnsureKeys(e.ctx, "no-such-tenant"); err == nil {
			t.Error("EnsureKeys for a missing tenant succeeded")
		}
	})
}

func TestRotation(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager(func(o *Options) { o.MaxTokenLifetime = 25 * time.Hour })
		tid := e.tenant(model.AlgRS256)
		if err := m.EnsureKeys(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		old := e.sign(m, tid)
		k1 := header(t, old).KeyID
		set, _ := m.JWKS(e.ctx)
		if len(set.Keys) != 2 {
			t.Fatalf("JWKS before rotation has %d keys, want signing and validating", len(set.Keys))
		}
		var k2 string
		for kid := range kids(set) {
			if kid != k1 {
				k2 = kid
			}
		}

		if err := m.Rotate(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		if err := m.Verify(e.ctx, old, nil); err != nil {
			t.Errorf("token signed before rotation: %v", err)
		}
		fresh := e.sign(m, tid)
		if kid := header(t, fresh).KeyID; kid != k2 {
			t.Errorf("after rotation signed with %s, want the published validating key %s", kid, k2)
		}
		st := statuses(t, e, tid)
		if st[k1] != model.KeyDisabled || st[k2] != model.KeySigning || len(st) != 3 {
			t.Errorf("statuses after rotation: %v", st)
		}
		set, _ = m.JWKS(e.ctx)
		if ks := kids(set); !ks[k1] || !ks[k2] || len(ks) != 3 {
			t.Errorf("JWKS after rotation: %v", ks)
		}

		// Second rotation an hour later; k1 was disabled at the first.
		e.clock.Advance(time.Hour)
		if err := m.Rotate(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		set, _ = m.JWKS(e.ctx)
		if ks := kids(set); !ks[k1] || !ks[k2] || len(ks) != 4 {
			t.Errorf("JWKS after second rotation: %v", ks)
		}

		// Once k1 has been disabled longer than the maximum token lifetime it is unpublished,
		// while k2, disabled an hour later, stays.
		e.clock.Advance(24*time.Hour + time.Minute)
		set, _ = m.JWKS(e.ctx)
		if ks := kids(set); ks[k1] || !ks[k2] {
			t.Errorf("JWKS past k1's lifetime: %v", ks)
		}
		if _, ok := statuses(t, e, tid)[k1]; !ok {
			t.Error("k1 deleted before the next rotation")
		}
		if err := m.Rotate(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		st = statuses(t, e, tid)
		if _, ok := st[k1]; ok {
			t.Error("k1 not deleted by the rotation after its lifetime")
		}
		if st[k2] != model.KeyDisabled {
			t.Errorf("k2 is %q, want disabled", st[k2])
		}
	})
}

func TestRotateChangesAlgorithm(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		tid := e.tenant(model.AlgRS256)
		old := e.sign(m, tid)

		e.setAlg(tid, model.AlgEdDSA)
		// Until the next rotation, the tenant keeps signing with its current key.
		if alg := header(t, e.sign(m, tid)).Algorithm; alg != model.AlgRS256 {
			t.Errorf("algorithm changed before rotation: %s", alg)
		}
		if err := m.Rotate(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
		raw := e.sign(m, tid)
		if alg := header(t, raw).Algorithm; alg != model.AlgEdDSA {
			t.Errorf("after rotation signs with %s, want EdDSA", alg)
		}
		if err := m.Verify(e.ctx, raw, nil); err != nil {
			t.Error(err)
		}
		if err := m.Verify(e.ctx, old, nil); err != nil {
			t.Errorf("RS256 token after the switch: %v", err)
		}
		recs, _ := e.store.ListSigningKeys(e.ctx, tid)
		for _, r := range recs {
			if r.Status == model.KeyValidating && r.Algorithm != model.AlgEdDSA {
				t.Errorf("validating key %s still uses %s", r.ID, r.Algorithm)
			}
		}
	})
}

func TestSecondNode(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		a, b := e.manager(), e.manager()
		tid := e.tenant(model.AlgES256)
		if err := b.Verify(e.ctx, e.sign(a, tid), nil); err != nil {
			t.Fatalf("node B rejects node A's token: %v", err)
		}
		// Two rotations on A: the new signing key is one B has never seen.
		for range 2 {
			if err := a.Rotate(e.ctx, tid); err != nil {
				t.Fatal(err)
			}
		}
		raw := e.sign(a, tid)
		reads := e.store.lists.Load()
		if err := b.Verify(e.ctx, raw, nil); err != nil {
			t.Fatalf("node B rejects a token signed after A's rotation: %v", err)
		}
		if e.store.lists.Load() != reads+1 {
			t.Errorf("unknown kid caused %d reads, want 1", e.store.lists.Load()-reads)
		}
		// B now signs with the key A rotated to, and A accepts it.
		if kid := header(t, e.sign(b, tid)).KeyID; kid != header(t, raw).KeyID {
			t.Errorf("B signs with %s, A with %s", kid, header(t, raw).KeyID)
		}
	})
}

func TestCache(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	tid := e.tenant(model.AlgEdDSA)
	raw := e.sign(m, tid)

	reads := e.store.lists.Load()
	for range 20 {
		e.sign(m, tid)
		if err := m.Verify(e.ctx, raw, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.store.lists.Load() - reads; n != 0 {
		t.Errorf("hot path read keys %d times", n)
	}

	// Tokens with made-up kids cause at most one read per second.
	forged := withKid(t, raw, "made-up-kid")
	for range 20 {
		if err := m.Verify(e.ctx, forged, nil); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("forged kid: %v", err)
		}
	}
	if n := e.store.lists.Load() - reads; n != 1 {
		t.Errorf("unknown kids caused %d reads within a second, want 1", n)
	}
	e.clock.Advance(2 * time.Second)
	_ = m.Verify(e.ctx, forged, nil)
	if n := e.store.lists.Load() - reads; n != 2 {
		t.Errorf("unknown kid a second later: %d reads in all, want 2", n)
	}

	// The cache expires after CacheTTL.
	e.clock.Advance(DefaultCacheTTL)
	if err := m.Verify(e.ctx, raw, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.store.lists.Load() - reads; n != 3 {
		t.Errorf("after CacheTTL: %d reads in all, want 3", n)
	}

	// Tokens naming unknown tenants cost no read: the node's one snapshot holds every key.
	reads = e.store.lists.Load()
	for range 5 {
		if err := m.Verify(e.ctx, withTenant(t, e, raw, model.NewID()), nil); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("token moved to an unknown tenant: %v", err)
		}
	}
	if n := e.store.lists.Load() - reads; n != 0 {
		t.Errorf("tokens of unknown tenants caused %d reads", n)
	}
}

// withKid rewrites the kid of a token's header, which breaks the signature but is enough to
// exercise key lookup.
func withKid(t *testing.T, raw, kid string) string {
	t.Helper()
	h := header(t, raw)
	return replacePart(t, raw, 0, map[string]any{"alg": h.Algorithm, "kid": kid, "typ": "JWT"})
}

// withTenant rewrites the payload of a token to name another tenant.
func withTenant(t *testing.T, e *env, raw, tid string) string {
	t.Helper()
	return replacePart(t, raw, 1, map[string]any{"tid": tid, "iss": testIssuer, "exp": e.clock.Now().Add(time.Hour).Unix()})
}

func replacePart(t *testing.T, raw string, i int, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(raw, ".")
	parts[i] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func TestPrivateKeysSealed(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		tidA, tidB := e.tenant(model.AlgRS256), e.tenant(model.AlgEdDSA)
		for _, tid := range []string{tidA, tidB} {
			if err := m.EnsureKeys(e.ctx, tid); err != nil {
				t.Fatal(err)
			}
			recs, _ := e.store.ListSigningKeys(e.ctx, tid)
			for _, r := range recs {
				der, err := e.keys.Open(r.PrivateEnc, keyAD(r.TenantID, r.ID))
				if err != nil {
					t.Fatalf("open %s: %v", r.ID, err)
				}
				if len(der) < 32 || bytes.Contains(r.PrivateEnc, der) || bytes.Contains(r.PrivateEnc, der[len(der)-32:]) {
					t.Errorf("key %s: stored private key contains the plain DER", r.ID)
				}
				if bytes.Contains(r.PublicJWK, []byte(`"d"`)) {
					t.Errorf("key %s: public JWK holds a private part", r.ID)
				}
			}
		}
	})
}

func TestSealedKeyBoundToRecord(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	tidA, tidB := e.tenant(model.AlgEdDSA), e.tenant(model.AlgEdDSA)
	for _, tid := range []string{tidA, tidB} {
		if err := m.EnsureKeys(e.ctx, tid); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := e.store.ListSigningKeys(e.ctx, tidA)
	b, _ := e.store.ListSigningKeys(e.ctx, tidB)
	// Copy A's sealed private key onto B's signing key: it must not open there.
	for _, rb := range b {
		if rb.Status != model.KeySigning {
			continue
		}
		err := e.store.UpdateSigningKey(e.ctx, tidB, rb.ID, func(k model.SigningKey) (model.SigningKey, error) {
			k.PrivateEnc = a[0].PrivateEnc
			return k, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.manager().Sign(e.ctx, tidB, e.claims(time.Minute)); err == nil {
		t.Error("signed with a sealed key moved from another record")
	}
}

// TestConcurrentUse signs and verifies from many goroutines on two nodes while one of them
// rotates; every token must verify on both nodes. Run with -race to check the cache.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, newMemStore())
	a, b := e.manager(), e.manager()
	tid := e.tenant(model.AlgES256)
	if err := a.EnsureKeys(e.ctx, tid); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signer, verifier := a, b
			if i%2 == 1 {
				signer, verifier = b, a
			}
			for range 50 {
				raw, err := signer.Sign(e.ctx, tid, e.claims(time.Hour))
				if err == nil {
					err = verifier.Verify(e.ctx, raw, nil)
				}
				if err == nil {
					_, err = verifier.JWKS(e.ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 3 {
		if err := a.Rotate(e.ctx, tid); err != nil {
			t.Error(err)
		}
		// Node B reloads for an unknown kid at most once a second; let a second pass, as it
		// would between real rotations.
		e.clock.Advance(2 * time.Second)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
