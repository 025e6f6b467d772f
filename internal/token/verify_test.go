package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
)

func TestSignVerifyEachAlgorithm(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		algs := []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA, ""}
		tids := map[string]string{}
		for _, alg := range algs {
			tids[alg] = e.tenant(alg)
		}
		m := e.manager()
		for _, alg := range algs {
			tid := tids[alg]
			raw := e.sign(m, tid)
			h := header(t, raw)
			want := alg
			if want == "" {
				want = model.AlgRS256
			}
			if h.Algorithm != want || h.KeyID == "" || h.ExtraHeaders["typ"] != "JWT" {
				t.Errorf("%q: header alg=%s kid=%q typ=%v", alg, h.Algorithm, h.KeyID, h.ExtraHeaders["typ"])
			}
			var got map[string]any
			if err := m.Verify(e.ctx, raw, &got); err != nil {
				t.Fatalf("%q: Verify: %v", alg, err)
			}
			if got["sub"] != "user-1" || got["tid"] != tid || got["iss"] != testIssuer {
				t.Errorf("%q: claims %v", alg, got)
			}
			var typed struct {
				Subject  string `json:"sub"`
				TenantID string `json:"tid"`
			}
			if err := m.VerifyTenant(e.ctx, raw, tid, &typed); err != nil || typed.Subject != "user-1" || typed.TenantID != tid {
				t.Errorf("%q: VerifyTenant into struct: %v %+v", alg, err, typed)
			}
		}
	})
}

func TestSignTyped(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	raw, err := m.SignTyped(e.ctx, e.tenant(model.AlgES256), TypeAccessToken, e.claims(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if typ := header(t, raw).ExtraHeaders["typ"]; typ != TypeAccessToken {
		t.Errorf("typ = %v, want %s", typ, TypeAccessToken)
	}
	if err := m.Verify(e.ctx, raw, nil); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestSignClaims(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	tid := e.tenant(model.AlgEdDSA)

	c := e.claims(time.Minute)
	c["iss"] = "https://evil.example"
	if _, err := m.Sign(e.ctx, tid, c); err == nil {
		t.Error("signed claims with a foreign issuer")
	}
	c = e.claims(time.Minute)
	c["tid"] = "other-tenant"
	if _, err := m.Sign(e.ctx, tid, c); err == nil {
		t.Error("signed claims naming another tenant")
	}
	if _, err := m.Sign(e.ctx, tid, []string{"not", "an", "object"}); err == nil {
		t.Error("signed a non-object")
	}
	// Large integers must survive signing unchanged.
	c = e.claims(time.Minute)
	c["big"] = int64(1<<62 + 1)
	raw, err := m.Sign(e.ctx, tid, c)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Big int64 `json:"big"`
	}
	if err := m.Verify(e.ctx, raw, &got); err != nil || got.Big != 1<<62+1 {
		t.Errorf("big = %d, %v", got.Big, err)
	}
	if _, err := m.Sign(e.ctx, "no-such-tenant", e.claims(time.Minute)); err == nil {
		t.Error("signed for a tenant that does not exist")
	}
}

func TestVerifyRejects(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		m := e.manager()
		tidA, tidB := e.tenant(model.AlgRS256), e.tenant(model.AlgES256)
		good := e.sign(m, tidA)

		parts := strings.Split(good, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := strings.Replace(string(payload), `"user-1"`, `"admin"`, 1)
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sig[0] ^= 1
		badSig := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)

		// A token of tenant B re-labelled with tenant A's kid cannot verify.
		other := strings.Split(e.sign(m, tidB), ".")
		mixed := parts[0] + "." + other[1] + "." + other[2]

		other2 := e.manager(func(o *Options) { o.Issuer = "https://other.example" })
		foreignIss, err := other2.Sign(e.ctx, tidA, e.claims(time.Hour))
		if err != nil {
			t.Fatal(err)
		}

		cases := map[string]string{
			"empty":        "",
			"garbage":      "a.b.c",
			"tampered":     tampered,
			"bad sig":      badSig,
			"mixed":        mixed,
			"wrong issuer": foreignIss,
			"hs256":        hmacToken(t, tidA, header(t, good).KeyID),
			"no exp":       mustSign(t, m, e, tidA, func(c map[string]any) { delete(c, "exp") }),
			"expired":      mustSign(t, m, e, tidA, func(c map[string]any) { c["exp"] = e.clock.Now().Add(-2 * Leeway).Unix() }),
			"not yet":      mustSign(t, m, e, tidA, func(c map[string]any) { c["nbf"] = e.clock.Now().Add(2 * Leeway).Unix() }),
			"future iat":   mustSign(t, m, e, tidA, func(c map[string]any) { c["iat"] = e.clock.Now().Add(2 * Leeway).Unix() }),
		}
		for name, raw := range cases {
			err := m.Verify(e.ctx, raw, nil)
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
			}
		}
		if err := m.Verify(e.ctx, cases["expired"], nil); !errors.Is(err, ErrExpired) {
			t.Errorf("expired: err = %v, want ErrExpired", err)
		}
		if err := other2.Verify(e.ctx, good, nil); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("manager of another issuer accepted a token: %v", err)
		}

		// Within the leeway, times are accepted.
		lenient := mustSign(t, m, e, tidA, func(c map[string]any) {
			c["exp"] = e.clock.Now().Add(-Leeway / 2).Unix()
			c["nbf"] = e.clock.Now().Add(Leeway / 2).Unix()
		})
		if err := m.Verify(e.ctx, lenient, nil); err != nil {
			t.Errorf("token within leeway: %v", err)
		}

		// Tenants.
		if err := m.VerifyTenant(e.ctx, good, tidA, nil); err != nil {
			t.Errorf("VerifyTenant(A): %v", err)
		}
		if err := m.VerifyTenant(e.ctx, good, tidB, nil); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("token of A passed VerifyTenant for B: %v", err)
		}
	})
}

func mustSign(t *testing.T, m *Manager, e *env, tid string, edit func(map[string]any)) string {
	t.Helper()
	c := e.claims(time.Hour)
	edit(c)
	raw, err := m.Sign(e.ctx, tid, c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// hmacToken builds an HS256 token naming a real kid, the classic algorithm-confusion attack.
func hmacToken(t *testing.T, tid, kid string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign([]byte(`{"tid":"` + tid + `","iss":"` + testIssuer + `","exp":4102444800}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := jws.CompactSerialize()
	return raw
}

func TestNewManagerOptions(t *testing.T) {
	e := newEnv(t, newMemStore())
	if _, err := NewManager(e.store, e.keys, Options{}); err == nil {
		t.Error("NewManager without issuer succeeded")
	}
	if _, err := NewManager(nil, e.keys, Options{Issuer: testIssuer}); err == nil {
		t.Error("NewManager without store succeeded")
	}
	m, err := NewManager(e.store, e.keys, Options{Issuer: testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	if m.ttl != DefaultCacheTTL || m.maxLifetime != DefaultMaxTokenLifetime || m.now == nil {
		t.Errorf("defaults not applied: ttl=%v max=%v", m.ttl, m.maxLifetime)
	}
}

// The payload is the claims' JSON with tid and iss added where missing or empty, and is
// always one valid JSON object.
func TestPayload(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	type nested struct {
		A []int           `json:"a"`
		M map[string]bool `json:"m"`
	}
	cases := []struct {
		name   string
		claims any
		want   map[string]any
	}{
		{"empty", struct{}{}, map[string]any{"tid": "t1", "iss": testIssuer}},
		{"nested", map[string]any{"n": nested{A: []int{1}, M: map[string]bool{"x": true}}},
			map[string]any{"n": map[string]any{"a": []any{1.0}, "m": map[string]any{"x": true}}, "tid": "t1", "iss": testIssuer}},
		{"empty tid replaced", map[string]any{"tid": "", "sub": "u"}, map[string]any{"tid": "t1", "iss": testIssuer, "sub": "u"}},
		{"both present", map[string]any{"tid": "t1", "iss": testIssuer}, map[string]any{"tid": "t1", "iss": testIssuer}},
		{"raw JSON", json.RawMessage(` { "sub" : "u" } `), map[string]any{"sub": "u", "tid": "t1", "iss": testIssuer}},
	}
	for _, c := range cases {
		raw, err := m.payload("t1", c.claims)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Errorf("%s: payload %s is not JSON: %v", c.name, raw, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: payload %s, want %v", c.name, raw, c.want)
		}
	}
	if _, err := m.payload("t1", map[string]any{"tid": 7}); err == nil {
		t.Error("a numeric tid was accepted")
	}
	if _, err := m.payload("t1", map[string]any{"iss": "https://other.example"}); err == nil {
		t.Error("another issuer was accepted")
	}

	// Raw JSON inside the claims is normalised: one value per key, valid UTF-8.
	raw, err := m.payload("t1", map[string]any{
		"custom_data": json.RawMessage("{\"role\":\"user\",\"role\":\"admin\",\"name\":\"caf\xff\"}"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `"role"`); n != 1 || !utf8.Valid(raw) {
		t.Errorf("payload %q: %d role keys, valid UTF-8 %v", raw, n, utf8.Valid(raw))
	}
}
