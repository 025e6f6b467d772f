package secret

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestCredentials(t *testing.T) {
	cases := []struct {
		name   string
		gen    func() string
		prefix string
	}{
		{"client secret", NewClientSecret, ClientSecretPrefix},
		{"refresh token", NewRefreshToken, RefreshTokenPrefix},
		{"link code", NewLinkCode, ""},
	}
	for _, c := range cases {
		a, b := c.gen(), c.gen()
		if a == b {
			t.Errorf("%s: two values are equal", c.name)
		}
		if !strings.HasPrefix(a, c.prefix) {
			t.Errorf("%s: %q lacks prefix %q", c.name, a, c.prefix)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, c.prefix))
		if err != nil {
			t.Errorf("%s: %q is not URL-safe base64: %v", c.name, a, err)
			continue
		}
		if len(raw) < 16 {
			t.Errorf("%s: only %d random bytes", c.name, len(raw))
		}
	}
	if len(NewMasterKey()) != MasterKeySize {
		t.Error("master key has the wrong length")
	}
}

func TestNewCodeLength(t *testing.T) {
	for d := MinCodeDigits; d <= MaxCodeDigits; d++ {
		for range 50 {
			c := NewCode(d)
			if len(c) != d {
				t.Fatalf("NewCode(%d) = %q", d, c)
			}
			if strings.Trim(c, "0123456789") != "" {
				t.Fatalf("NewCode(%d) = %q has non-digits", d, c)
			}
		}
	}
}

func TestNewCodeRejectsBadLength(t *testing.T) {
	for _, d := range []int{-1, 0, 3, 11} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewCode(%d) did not panic", d)
				}
			}()
			NewCode(d)
		}()
	}
}

// TestNewCodeDistribution is a sanity check, not a statistical test: every digit appears in
// every position, and no digit is wildly over- or under-represented.
func TestNewCodeDistribution(t *testing.T) {
	const n, digits = 4000, 6
	var counts [digits][10]int
	for range n {
		for i, ch := range NewCode(digits) {
			counts[i][ch-'0']++
		}
	}
	for pos := range counts {
		for d, c := range counts[pos] {
			// Expected 400 per cell; the standard deviation is about 19, so these bounds are
			// over ten deviations away.
			if c < 200 || c > 600 {
				t.Errorf("position %d digit %d appeared %d times of %d", pos, d, c, n)
			}
		}
	}
}
