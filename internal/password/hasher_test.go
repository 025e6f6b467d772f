package password

import (
	"context"
	"regexp"
	"testing"

	"github.com/latchkey/latchkey/internal/fault"
)

var phcShape = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashAtDefaultParameters(t *testing.T) {
	h := newTestHasher(t, DefaultParams())
	ctx := context.Background()
	enc, err := h.Hash(ctx, "t1", "Tr0ub4dor&3-horse")
	if err != nil {
		t.Fatal(err)
	}
	if !phcShape.MatchString(enc) {
		t.Fatalf("hash %q is not a PHC argon2id string at OWASP's parameters", enc)
	}
	if ok, err := h.Verify(ctx, "t1", enc, "Tr0ub4dor&3-horse"); !ok || err != nil {
		t.Fatalf("verify own hash: ok=%v err=%v", ok, err)
	}
	if ok, _ := h.Verify(ctx, "t1", enc, "Tr0ub4dor&3-hors"); ok {
		t.Fatal("verify accepted a wrong password")
	}
	again, _ := h.Hash(ctx, "t1", "Tr0ub4dor&3-horse")
	if again == enc {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if h.NeedsRehash(enc) {
		t.Error("a hash at the current parameters must not need a rehash")
	}
	if !newTestHasher(t, Params{Memory: 19456, Time: 3, Threads: 1}).NeedsRehash(enc) {
		t.Error("a hash at other parameters must need a rehash")
	}
	if !h.NeedsRehash("garbage") {
		t.Error("an undecodable hash must need a rehash")
	}
	if err := h.VerifyDummy(ctx, "t1", "anything"); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyUndecodableIsInternal(t *testing.T) {
	h := newTestHasher(t, cheap)
	_, err := h.Verify(context.Background(), "t1", "not a hash", "pw")
	if !fault.Is(err, fault.Internal) {
		t.Fatalf("err = %v, want an internal fault", err)
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	for _, p := range []Params{{Memory: 4, Time: 1, Threads: 1}, {Memory: 64, Time: 0, Threads: 1}, {Memory: 64, Time: 1, Threads: 0}, {Memory: 1 << 30, Time: 1, Threads: 1}} {
		if _, err := NewHasher(Config{Params: p}); err == nil {
			t.Errorf("NewHasher(%v) accepted it", p)
		}
	}
}

func TestParseParams(t *testing.T) {
	p, err := ParseParams("t=3, m=65536,p=4")
	if err != nil || p != (Params{Memory: 65536, Time: 3, Threads: 4}) {
		t.Fatalf("ParseParams = %v, %v", p, err)
	}
	if p.String() != "m=65536,t=3,p=4" {
		t.Errorf("String() = %q", p.String())
	}
	for _, bad := range []string{"", "m=1,t=2", "m=1,t=2,p=3,x=4", "m=a,t=1,p=1", "m=1,m=2,t=1,p=1", "m=1,t=1,p=300"} {
		if _, err := ParseParams(bad); err == nil {
			t.Errorf("ParseParams(%q) accepted it", bad)
		}
	}
}

func TestSharedHasher(t *testing.T) {
	orig := Shared()
	t.Cleanup(func() { SetShared(orig) })
	if orig.Params() == (Params{}) {
		t.Fatal("shared hasher has no parameters")
	}
	h := newTestHasher(t, cheap)
	SetShared(h)
	if Shared() != h {
		t.Fatal("SetShared did not take effect")
	}
}
