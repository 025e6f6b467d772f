package password

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// costlyHashes are well-formed hashes, one per imported format, whose verification would cost
// far more than a hash at the default parameters: the argon2id one takes seconds and 256 MiB.
// Their keys are not real; nothing here may ever compute them.
func costlyHashes(t *testing.T) map[string]string {
	t.Helper()
	salt, key := encodeB64([]byte("0123456789abcdef")), encodeB64(make([]byte, 32))
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"argon2id":      fmt.Sprintf("$argon2id$v=19$m=262144,t=64,p=1$%s$%s", salt, key),
		"argon2i":       fmt.Sprintf("$argon2i$v=19$m=131072,t=16,p=1$%s$%s", salt, key),
		"bcrypt":        "$2a$14$" + string(bc[7:]),
		"scrypt":        fmt.Sprintf("$scrypt$ln=18,r=8,p=1$%s$%s", salt, key),
		"pbkdf2-sha256": fmt.Sprintf("$pbkdf2-sha256$i=10000000$%s$%s", salt, key),
		"pbkdf2-sha512": fmt.Sprintf("$pbkdf2-sha512$i=5000000$%s$%s", salt, key),
	}
}

// TestImportRefusesCostlyHashes: an imported hash that would make every login of its user
// cost many times a hash of this server's own is refused, with a message that names the field
// and the limit.
func TestImportRefusesCostlyHashes(t *testing.T) {
	for name, enc := range costlyHashes(t) {
		err := CheckHash(enc)
		if err == nil {
			t.Errorf("%s: %s was accepted", name, enc)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "password_hash: ") || !strings.Contains(msg, "at most") {
			t.Errorf("%s: message %q does not name the field and the limit", name, msg)
		}
	}
}

// TestImportAcceptsCommonCosts: the costs systems commonly use stay importable at the default
// parameters.
func TestImportAcceptsCommonCosts(t *testing.T) {
	salt, key := encodeB64([]byte("0123456789abcdef")), encodeB64(make([]byte, 32))
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{
		"$2b$12$" + string(bc[7:]),
		fmt.Sprintf("$argon2id$v=19$m=65536,t=3,p=4$%s$%s", salt, key),
		fmt.Sprintf("$scrypt$ln=16,r=8,p=1$%s$%s", salt, key),
		fmt.Sprintf("$pbkdf2-sha256$i=1200000$%s$%s", salt, key),
		fmt.Sprintf("$pbkdf2-sha512$i=210000$%s$%s", salt, key),
	} {
		if err := CheckHash(enc); err != nil {
			t.Errorf("CheckHash(%s) = %v", enc, err)
		}
	}
}

// TestVerifyRefusesCostlyStoredHashes: a costly hash stored before the limit existed is not
// computed at login; verification answers with an error instead.
func TestVerifyRefusesCostlyStoredHashes(t *testing.T) {
	h := newTestHasher(t, DefaultParams())
	for name, enc := range costlyHashes(t) {
		if ok, err := h.Verify(context.Background(), "t1", enc, "pw"); ok || err == nil {
			t.Errorf("%s: Verify = %v, %v; want a refusal", name, ok, err)
		}
	}
}

// TestImportLimitFollowsParameters: the limit is relative to the configured parameters (never
// below OWASP's minimum) and to the configured factor, and a hasher's own Create applies its
// own limit.
func TestImportLimitFollowsParameters(t *testing.T) {
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcrypt14 := "$2a$14$" + string(bc[7:])
	heavier, err := NewHasher(Config{Params: Params{Memory: 65536, Time: 3, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := heavier.CheckHash(bcrypt14); err != nil {
		t.Errorf("at m=65536,t=3, bcrypt 14 must be importable: %v", err)
	}
	strict, err := NewHasher(Config{Params: cheap, ImportCost: 1})
	if err != nil {
		t.Fatal(err)
	}
	bcrypt9 := "$2a$09$" + string(bc[7:])
	if err := strict.CheckHash("$2a$08$" + string(bc[7:])); err != nil {
		t.Errorf("bcrypt 8 is below OWASP's minimum argon2id cost and must pass: %v", err)
	}
	if err := strict.CheckHash(bcrypt9); err == nil || !strings.Contains(err.Error(), "at most 8") {
		t.Errorf("bcrypt 9 at factor 1: %v, want a refusal naming cost 8", err)
	}
	_, err = strict.Create(context.Background(), "t1", "u1", Input{Hash: bcrypt9}, prefs(nil), time.Now())
	if !fault.Is(err, fault.Invalid) {
		t.Errorf("Create with a hash above the hasher's limit: %v, want a validation fault", err)
	}
}

// TestReplaceCostlyHash: a reset replaces a hash too costly to verify; the history check
// skips it rather than computing it.
func TestReplaceCostlyHash(t *testing.T) {
	h := newTestHasher(t, cheap)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	costly := costlyHashes(t)["argon2id"]
	cur := model.Credential{Secret: []byte(costly), Data: Data{ChangedAt: now}.JSON()}
	p := prefs(func(p *model.PasswordPreferences) { p.BlockPreviousPasswords = 3 })
	next, err := h.Replace(context.Background(), cur, Input{Password: "Zebra7-cake-lamp"}, p, true, now)
	if err != nil {
		t.Fatalf("replace a costly hash: %v", err)
	}
	if Scheme(string(next.Secret)) != SchemeArgon2id || string(next.Secret) == costly {
		t.Fatalf("new secret = %q", next.Secret)
	}
}
