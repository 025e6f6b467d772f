package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseMasterKeyFormats(t *testing.T) {
	key := NewMasterKey()
	// Make sure both alphabets' special characters occur, so std and URL forms differ.
	key[0], key[1], key[2] = 0xfb, 0xff, 0xbf
	forms := map[string]string{
		"std":        base64.StdEncoding.EncodeToString(key),
		"std raw":    base64.RawStdEncoding.EncodeToString(key),
		"url":        base64.URLEncoding.EncodeToString(key),
		"url raw":    base64.RawURLEncoding.EncodeToString(key),
		"hex":        hex.EncodeToString(key),
		"HEX":        strings.ToUpper(hex.EncodeToString(key)),
		"encoded":    EncodeMasterKey(key),
		"whitespace": "  " + EncodeMasterKey(key) + "\n",
	}
	for name, s := range forms {
		got, err := ParseMasterKey(s)
		if err != nil {
			t.Errorf("%s %q: %v", name, s, err)
			continue
		}
		if !bytes.Equal(got, key) {
			t.Errorf("%s: decoded %x, want %x", name, got, key)
		}
	}
	if strings.ContainsAny(EncodeMasterKey(key), "+/=") {
		t.Errorf("EncodeMasterKey is not unpadded URL-safe: %q", EncodeMasterKey(key))
	}
}

func TestParseMasterKeyErrors(t *testing.T) {
	cases := map[string]string{
		"empty":       "",
		"blank":       "   ",
		"short b64":   base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"long b64":    base64.RawURLEncoding.EncodeToString(make([]byte, 33)),
		"short hex":   hex.EncodeToString(make([]byte, 31)),
		"garbage":     "not a key!",
		"bad hex 64":  strings.Repeat("zz", 32),
		"mixed alpha": "+-" + base64.RawURLEncoding.EncodeToString(make([]byte, 30)),
	}
	for name, s := range cases {
		got, err := ParseMasterKey(s)
		if err == nil {
			t.Errorf("%s: parsed %q as %x", name, s, got)
			continue
		}
		if !strings.Contains(err.Error(), "master key") {
			t.Errorf("%s: unclear error %q", name, err)
		}
	}
}
