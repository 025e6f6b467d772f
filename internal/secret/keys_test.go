package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func mustKeys(t testing.TB, master []byte) *Keys {
	t.Helper()
	k, err := NewKeys(master)
	if err != nil {
		t.Fatalf("NewKeys: %v", err)
	}
	return k
}

func TestNewKeysRejectsWrongLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewKeys(make([]byte, n)); err == nil {
			t.Errorf("NewKeys(%d bytes) succeeded", n)
		}
	}
}

func TestHashing(t *testing.T) {
	master := NewMasterKey()
	k1 := mustKeys(t, master)
	k1again := mustKeys(t, bytes.Clone(master))
	k2 := mustKeys(t, NewMasterKey())

	const s = "lk_cs_example"
	h := k1.HashClientSecret(s)
	if len(h) != 32 {
		t.Fatalf("hash length %d, want 32", len(h))
	}
	if !Equal(h, k1.HashClientSecret(s)) || !Equal(h, k1again.HashClientSecret(s)) {
		t.Error("hash is not deterministic for one master key")
	}
	if Equal(h, k2.HashClientSecret(s)) {
		t.Error("hash is the same under another master key")
	}
	if Equal(h, k1.HashClientSecret(s+"x")) {
		t.Error("different secrets hash alike")
	}
	// One value hashed for different purposes must give different hashes.
	hashes := [][]byte{h, k1.HashRefreshToken(s), k1.HashCode("", s)}
	for i := range hashes {
		for j := i + 1; j < len(hashes); j++ {
			if Equal(hashes[i], hashes[j]) {
				t.Errorf("purposes %d and %d hash alike", i, j)
			}
		}
	}
}

func TestHashCodeScope(t *testing.T) {
	k := mustKeys(t, NewMasterKey())
	a := k.HashCode("code1", "123456")
	if !Equal(a, k.HashCode("code1", "123456")) {
		t.Error("code hash is not deterministic")
	}
	if Equal(a, k.HashCode("code2", "123456")) {
		t.Error("same code under two scopes hashes alike")
	}
	if Equal(a, k.HashCode("code1", "123457")) {
		t.Error("different codes hash alike")
	}
	// Moving bytes across the scope/code boundary must change the hash.
	if Equal(k.HashCode("ab", "c"), k.HashCode("a", "bc")) {
		t.Error("scope and code are not separated")
	}
}

func TestEqual(t *testing.T) {
	cases := []struct {
		a, b []byte
		want bool
	}{
		{[]byte("abc"), []byte("abc"), true},
		{[]byte("abc"), []byte("abd"), false},
		{[]byte("abc"), []byte("ab"), false},
		{nil, []byte{}, true},
		{nil, []byte("a"), false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k := mustKeys(t, NewMasterKey())
	plain := []byte("private key bytes")
	ad := []byte("tenant/key")

	sealed, err := k.Seal(plain, ad)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed data contains the plaintext")
	}
	again, _ := k.Seal(plain, ad)
	if bytes.Equal(sealed, again) {
		t.Error("two seals of the same plaintext are identical: nonce is not random")
	}
	got, err := k.Open(sealed, ad)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, want %q", got, plain)
	}

	for i := range sealed {
		tampered := bytes.Clone(sealed)
		tampered[i] ^= 0x01
		if _, err := k.Open(tampered, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("tampered byte %d: err = %v, want ErrOpen", i, err)
		}
	}
	if _, err := k.Open(sealed, []byte("tenant/other")); !errors.Is(err, ErrOpen) {
		t.Errorf("wrong additional data: err = %v, want ErrOpen", err)
	}
	if _, err := k.Open(sealed[:10], ad); !errors.Is(err, ErrOpen) {
		t.Errorf("truncated: err = %v, want ErrOpen", err)
	}
	if _, err := mustKeys(t, NewMasterKey()).Open(sealed, ad); !errors.Is(err, ErrOpen) {
		t.Errorf("other master key: err = %v, want ErrOpen", err)
	}
}

func BenchmarkHashClientSecret(b *testing.B) {
	k := mustKeys(b, NewMasterKey())
	s := NewClientSecret()
	b.ReportAllocs()
	for b.Loop() {
		k.HashClientSecret(s)
	}
}

func TestSuccessorRefreshToken(t *testing.T) {
	k1, _ := NewKeys(NewMasterKey())
	k2, _ := NewKeys(NewMasterKey())
	parent := NewRefreshToken()
	a, b := k1.SuccessorRefreshToken(parent), k1.SuccessorRefreshToken(parent)
	if a != b {
		t.Fatal("successor is not deterministic")
	}
	if !strings.HasPrefix(a, RefreshTokenPrefix) || a == parent {
		t.Fatalf("bad successor %q", a)
	}
	if k2.SuccessorRefreshToken(parent) == a {
		t.Fatal("successor does not depend on the key")
	}
	if k1.SuccessorRefreshToken(NewRefreshToken()) == a {
		t.Fatal("successor does not depend on the parent")
	}
	if bytes.Equal(k1.HashRefreshToken(a), k1.HashRefreshToken(parent)) {
		t.Fatal("successor hashes like its parent")
	}
}

// A session reference is a keyed, deterministic name of a session id: the same under one
// master key, another under another, never the id itself, and the audit log's reference of
// the same id (keyed hash of the code key under the scope "session-ref").
func TestSessionRef(t *testing.T) {
	master := NewMasterKey()
	k, again, other := mustKeys(t, master), mustKeys(t, bytes.Clone(master)), mustKeys(t, NewMasterKey())
	const id = "abcdefghijklmnopqrstuvwxyz"
	ref := k.SessionRef(id)
	if !strings.HasPrefix(ref, SessionRefPrefix) || len(ref) != len(SessionRefPrefix)+20 || strings.Contains(ref, id) {
		t.Fatalf("SessionRef(%q) = %q", id, ref)
	}
	if again.SessionRef(id) != ref {
		t.Error("SessionRef differs under the same master key")
	}
	if other.SessionRef(id) == ref || k.SessionRef(id+"a") == ref || k.SessionRef(ref) == ref {
		t.Error("SessionRef collides across keys or ids")
	}
	if want := k.HashCode("session-ref", id)[:15]; !strings.HasSuffix(ref, base64.RawURLEncoding.EncodeToString(want)) {
		t.Errorf("SessionRef %q is not the keyed hash of the session id", ref)
	}
}
