package token

import (
	"bytes"
	"encoding/json"
	"testing"
)

type typedClaims struct {
	TenantID string   `json:"tid"`
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Roles    []string `json:"roles,omitempty"`
}

func (c typedClaims) Registered() (string, string) { return c.TenantID, c.Issuer }

// slowPayload is the general way alone, to compare the fast one with.
func slowPayload(t testing.TB, m *Manager, claims any) []byte {
	t.Helper()
	raw, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The fast way gives a login's claims map exactly the bytes the general way gives, raw JSON
// with repeated keys and invalid UTF-8 included, and is taken for the shapes logins sign.
func TestFastPayloadMatchesGeneral(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	base := func() map[string]any {
		return map[string]any{
			"iss": testIssuer, "tid": "t1", "sub": "u1", "aud": "c1", "iat": int64(1700000000),
			"exp": int64(1700000600), "amr": []string{"otp"}, "new_user": false, "jti": "j<&>",
			"scope": "openid", "client_epoch": int64(3), "ratio": 1.5, "none": nil,
		}
	}
	withRaw := base()
	withRaw["custom_data"] = json.RawMessage("{\"role\":\"user\",\"role\":\"admin\",\"name\":\"caf\xff\",\"n\":12345678901234567890}")
	withRaw["custom_app_data"] = map[string]json.RawMessage{"plan": json.RawMessage(`{"b":1,"a":[1,2,{"z":true}]}`)}
	withRaw["groups"] = []any{map[string]any{"id": "g", "data": json.RawMessage(`{"x":"y"}`)}}
	withRaw["bad"] = "caf\xff"
	for name, claims := range map[string]map[string]any{"plain": base(), "raw": withRaw} {
		fast, ok, err := m.fastPayload("t1", claims)
		if err != nil || !ok {
			t.Fatalf("%s: fast way not taken: ok %v, err %v", name, ok, err)
		}
		if want := slowPayload(t, m, claims); !bytes.Equal(fast, want) {
			t.Errorf("%s:\nfast    %s\ngeneral %s", name, fast, want)
		}
		if got, err := m.payload("t1", claims); err != nil || !bytes.Equal(got, fast) {
			t.Errorf("%s: payload %s (%v), want the fast way's", name, got, err)
		}
	}
}

// Claims the fast way cannot vouch for take the general way, and a tid or iss of another
// tenant or issuer is refused either way.
func TestFastPayloadFallsBack(t *testing.T) {
	e := newEnv(t, newMemStore())
	m := e.manager()
	type other struct{ A int }
	for name, claims := range map[string]any{
		"struct value":  map[string]any{"iss": testIssuer, "tid": "t1", "o": other{1}},
		"tid missing":   map[string]any{"iss": testIssuer},
		"iss empty":     map[string]any{"iss": "", "tid": "t1"},
		"typed, no tid": typedClaims{Issuer: testIssuer},
		"raw top level": json.RawMessage(`{"sub":"u"}`),
	} {
		if _, ok, err := m.fastPayload("t1", claims); ok || err != nil {
			t.Errorf("%s: fast way taken (err %v)", name, err)
		}
		if _, err := m.payload("t1", claims); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, claims := range map[string]any{
		"map, other tenant":   map[string]any{"iss": testIssuer, "tid": "t2"},
		"map, other issuer":   map[string]any{"iss": "https://other.example", "tid": "t1"},
		"typed, other tenant": typedClaims{TenantID: "t2", Issuer: testIssuer},
		"typed, other issuer": typedClaims{TenantID: "t1", Issuer: "https://other.example"},
		"map, broken raw":     map[string]any{"iss": testIssuer, "tid": "t1", "c": json.RawMessage(`{"a":`)},
	} {
		if _, err := m.payload("t1", claims); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	raw, ok, err := m.fastPayload("t1", typedClaims{TenantID: "t1", Issuer: testIssuer, Subject: "c\xff", Roles: []string{"r"}})
	if !ok || err != nil {
		t.Fatalf("typed claims: ok %v, err %v", ok, err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil || got["sub"] != "c\uFFFD" || got["tid"] != "t1" {
		t.Errorf("typed payload %s (%v)", raw, err)
	}
}

// BenchmarkPayload compares the two ways on an access token's claims.
func BenchmarkPayload(b *testing.B) {
	e := newEnv(b, newMemStore())
	m := e.manager()
	claims := map[string]any{
		"iss": testIssuer, "tid": "t1", "sub": "u1", "aud": "c1", "iat": int64(1700000000),
		"exp": int64(1700000600), "amr": []string{"otp"}, "scope": "openid", "client_id": "c1",
		"app_id": "a1", "client_epoch": int64(0), "sid": "s1", "jti": "j1", "auth_time": int64(1700000000),
		"token_use": "access",
	}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.payload("t1", claims); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("general", func(b *testing.B) {
		for b.Loop() {
			slowPayload(b, m, claims)
		}
	})
}
