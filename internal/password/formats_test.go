package password

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// cheap are parameters that make tests fast; the format is the same at any cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func newTestHasher(t testing.TB, p Params) *Hasher {
	t.Helper()
	h, err := NewHasher(Config{Params: p, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// vectors builds one hash of each supported format for password, with the libraries
// themselves, so that verification is checked against independent implementations.
func vectors(t *testing.T, password string) map[string]string {
	t.Helper()
	salt := []byte("0123456789abcdef")
	b64 := encodeB64
	out := map[string]string{}

	id := argon2.IDKey([]byte(password), salt, 2, 256, 2, 32)
	out["argon2id"] = fmt.Sprintf("$argon2id$v=19$m=256,t=2,p=2$%s$%s", b64(salt), b64(id))
	i := argon2.Key([]byte(password), salt, 3, 128, 1, 24)
	out["argon2i"] = fmt.Sprintf("$argon2i$v=19$m=128,t=3,p=1$%s$%s", b64(salt), b64(i))

	bc, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	out["bcrypt-2a"] = string(bc)
	out["bcrypt-2b"] = "$2b$" + string(bc[4:])
	out["bcrypt-2y"] = "$2y$" + string(bc[4:])

	sc, err := scrypt.Key([]byte(password), salt, 1<<10, 8, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	out["scrypt"] = fmt.Sprintf("$scrypt$ln=10,r=8,p=1$%s$%s", b64(salt), b64(sc))

	p256, err := pbkdf2.Key(sha256.New, password, salt, 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	out["pbkdf2-sha256"] = fmt.Sprintf("$pbkdf2-sha256$i=1000$%s$%s", b64(salt), b64(p256))
	// passlib's spelling: bare rounds, "." for "+" in base64.
	out["pbkdf2-sha256-passlib"] = fmt.Sprintf("$pbkdf2-sha256$1000$%s$%s",
		strings.ReplaceAll(b64(salt), "+", "."), strings.ReplaceAll(b64(p256), "+", "."))
	p512, err := pbkdf2.Key(sha512.New, password, salt, 1200, 64)
	if err != nil {
		t.Fatal(err)
	}
	out["pbkdf2-sha512"] = fmt.Sprintf("$pbkdf2-sha512$i=1200$%s$%s", b64(salt), b64(p512))
	return out
}

func TestVerifyEveryFormat(t *testing.T) {
	h := newTestHasher(t, cheap)
	ctx := context.Background()
	const pw = "correct horse battery staple ✓"
	for name, encoded := range vectors(t, pw) {
		t.Run(name, func(t *testing.T) {
			if err := CheckHash(encoded); err != nil {
				t.Fatalf("CheckHash(%s) = %v", encoded, err)
			}
			ok, err := h.Verify(ctx, "t1", encoded, pw)
			if err != nil || !ok {
				t.Fatalf("right password: ok=%v err=%v", ok, err)
			}
			for _, wrong := range []string{"correct horse battery staple", pw + " ", "", strings.ToUpper(pw)} {
				ok, err := h.Verify(ctx, "t1", encoded, wrong)
				if err != nil || ok {
					t.Errorf("wrong password %q: ok=%v err=%v", wrong, ok, err)
				}
			}
			if !h.NeedsRehash(encoded) {
				t.Errorf("an imported %s hash must need a rehash", name)
			}
		})
	}
}

// TestKnownBcryptVector checks a published vector of the crypt_blowfish test suite, made by
// another implementation than the one Latchkey uses.
func TestKnownBcryptVector(t *testing.T) {
	h := newTestHasher(t, cheap)
	const v = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	if ok, err := h.Verify(context.Background(), "t1", v, "U*U"); !ok || err != nil {
		t.Fatalf("known vector: ok=%v err=%v", ok, err)
	}
	if ok, _ := h.Verify(context.Background(), "t1", v, "U*V"); ok {
		t.Fatal("known vector accepted a wrong password")
	}
}

func TestBcryptTruncatesAt72Bytes(t *testing.T) {
	h := newTestHasher(t, cheap)
	long := strings.Repeat("a", 72)
	bc, err := bcrypt.GenerateFromPassword([]byte(long), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// Systems that made bcrypt hashes ignored everything past 72 bytes; so does verification.
	if ok, err := h.Verify(context.Background(), "t1", string(bc), long+"tail"); !ok || err != nil {
		t.Fatalf("72-byte prefix: ok=%v err=%v", ok, err)
	}
}

func TestCheckHashRejects(t *testing.T) {
	salt, key := encodeB64([]byte("0123456789abcdef")), encodeB64(make([]byte, 32))
	cases := map[string]string{
		"empty":              "",
		"plain text":         "hunter2",
		"md5 crypt":          "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
		"unknown scheme":     "$sha1$" + salt + "$" + key,
		"argon2 no version":  "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2 version 16":  "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2 huge memory": "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"argon2 extra param": "$argon2id$v=19$m=64,t=1,p=1,x=2$" + salt + "$" + key,
		"argon2 short salt":  "$argon2id$v=19$m=64,t=1,p=1$" + encodeB64([]byte("abc")) + "$" + key,
		"argon2 short hash":  "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + encodeB64([]byte("abc")),
		"argon2 bad base64":  "$argon2id$v=19$m=64,t=1,p=1$%%%$" + key,
		"argon2 missing t":   "$argon2id$v=19$m=64,p=1$" + salt + "$" + key,
		"bcrypt cost 31":     "$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"bcrypt short":       "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9",
		"scrypt huge":        "$scrypt$ln=30,r=8,p=1$" + salt + "$" + key,
		"scrypt too much":    "$scrypt$ln=20,r=32,p=1$" + salt + "$" + key,
		"pbkdf2 few rounds":  "$pbkdf2-sha256$i=10$" + salt + "$" + key,
		"pbkdf2 many rounds": "$pbkdf2-sha512$i=99999999$" + salt + "$" + key,
		"pbkdf2 no rounds":   "$pbkdf2-sha256$" + salt + "$" + key,
		"too many fields":    "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x",
	}
	for name, s := range cases {
		if err := CheckHash(s); err == nil {
			t.Errorf("%s: CheckHash(%q) accepted it", name, s)
		}
		if Scheme(s) != "" {
			t.Errorf("%s: Scheme(%q) = %q, want none", name, s, Scheme(s))
		}
	}
}

func TestScheme(t *testing.T) {
	want := map[string]string{
		"argon2id": SchemeArgon2id, "argon2i": SchemeArgon2i, "bcrypt-2y": SchemeBcrypt,
		"scrypt": SchemeScrypt, "pbkdf2-sha256": SchemePBKDF2SHA256, "pbkdf2-sha512": SchemePBKDF2SHA512,
	}
	v := vectors(t, "x")
	for name, scheme := range want {
		if got := Scheme(v[name]); got != scheme {
			t.Errorf("Scheme(%s) = %q, want %q", name, got, scheme)
		}
	}
}
