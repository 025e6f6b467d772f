package password

import (
	"context"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

func prefs(edit func(*model.PasswordPreferences)) model.PasswordPreferences {
	var p model.PasswordPreferences
	if edit != nil {
		edit(&p)
	}
	return model.LoginPreferences{Password: p}.Normalized().Password
}

func TestCreate(t *testing.T) {
	h := newTestHasher(t, cheap)
	ctx, now := context.Background(), time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	p := prefs(nil)
	_, err := h.Create(ctx, "t1", "u1", Input{Password: "short"}, p, now)
	if fault.As(err).Code != CodeWeak {
		t.Fatalf("weak password: %v", err)
	}
	c, err := h.Create(ctx, "t1", "u1", Input{Password: "Zebra7-cake-lamp", Temporary: true}, p, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != model.CredentialPassword || c.UserID != "u1" || c.TenantID != "t1" || Scheme(string(c.Secret)) != SchemeArgon2id {
		t.Fatalf("credential = %+v", c)
	}
	d, err := ParseData(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Temporary || !d.ChangedAt.Equal(now) || d.ExpiresAt == nil || !d.ExpiresAt.Equal(now.Add(72*time.Hour)) {
		t.Fatalf("data = %+v", d)
	}
	// An imported hash is kept as it is.
	v := vectors(t, "imported")["bcrypt-2y"]
	c, err = h.Create(ctx, "t1", "u2", Input{Hash: v}, p, now)
	if err != nil || string(c.Secret) != v {
		t.Fatalf("import: %v, secret %q", err, c.Secret)
	}
	d, _ = ParseData(c.Data)
	if d.Temporary || d.ExpiresAt == nil || !d.ExpiresAt.Equal(now.AddDate(0, 0, 90)) {
		t.Fatalf("imported data = %+v", d)
	}
	if _, err := h.Create(ctx, "t1", "u3", Input{Hash: "$2a$nope"}, p, now); fault.As(err).Code != fault.CodeInvalidInput {
		t.Fatalf("bad import: %v", err)
	}
}

func TestInputProblems(t *testing.T) {
	cases := map[string]Input{
		"neither": {}, "both": {Password: "x", Hash: "y"}, "bad hash": {Hash: "$2a$zz"},
		"control": {Password: "a\nb"},
	}
	for name, in := range cases {
		if len(in.Problems("credentials.")) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	if p := (Input{Password: "anything at all"}).Problems(""); len(p) != 0 {
		t.Errorf("good input: %q", p)
	}
}

func TestReplaceHistory(t *testing.T) {
	h := newTestHasher(t, cheap)
	ctx, now := context.Background(), time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	p := prefs(func(p *model.PasswordPreferences) { p.BlockPreviousPasswords = 3; p.IgnoreExpiration = true })
	pw := []string{"First-pass-1234", "Second-pass-1234", "Third-pass-1234", "Fourth-pass-1234"}
	c, err := h.Create(ctx, "t", "u", Input{Password: pw[0]}, p, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, next := range pw[1:3] {
		if c, err = h.Replace(ctx, c, Input{Password: next}, p, false, now); err != nil {
			t.Fatal(err)
		}
	}
	// The current password and the two before it are the three most recent.
	for _, old := range pw[:3] {
		if _, err := h.Replace(ctx, c, Input{Password: old}, p, false, now); fault.As(err).Code != CodeRecentlyUsed {
			t.Errorf("reusing %q: %v, want %s", old, err, CodeRecentlyUsed)
		}
	}
	if c, err = h.Replace(ctx, c, Input{Password: pw[3]}, p, false, now); err != nil {
		t.Fatal(err)
	}
	d, _ := ParseData(c.Data)
	if len(d.History) != 2 || d.ExpiresAt != nil {
		t.Fatalf("history = %d entries, expires %v; want 2 and never", len(d.History), d.ExpiresAt)
	}
	// pw[0] has left the window of three.
	if _, err := h.Replace(ctx, c, Input{Password: pw[0]}, p, false, now); err != nil {
		t.Errorf("reusing the oldest password: %v", err)
	}
}

func TestReplaceWithoutHistory(t *testing.T) {
	h := newTestHasher(t, cheap)
	ctx, now := context.Background(), time.Now()
	p := prefs(nil)
	c, err := h.Create(ctx, "t", "u", Input{Password: "Same-pass-12345"}, p, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Replace(ctx, c, Input{Password: "Same-pass-12345"}, p, false, now); err != nil {
		t.Errorf("blockPreviousPasswords 0 refused the current password: %v", err)
	}
	if _, err := h.Replace(ctx, c, Input{Password: "Same-pass-12345"}, p, true, now); fault.As(err).Code != CodeRecentlyUsed {
		t.Errorf("refuseCurrent accepted the current password: %v", err)
	}
	n, err := h.Replace(ctx, c, Input{Password: "Other-pass-12345"}, p, true, now)
	if d, _ := ParseData(n.Data); err != nil || len(d.History) != 0 {
		t.Errorf("replace: %v, history %d", err, len(d.History))
	}
	if _, err := h.Replace(ctx, c, Input{Hash: vectors(t, "x")["scrypt"]}, p, false, now); err == nil {
		t.Error("a hash replaced a password")
	}
}
