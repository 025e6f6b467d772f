package password

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/password/internal/weaklist"
)

func TestBreached(t *testing.T) {
	for _, pw := range []string{
		"password", "Password1", "PASSWORD123!", "P@ssw0rd", "p@$$w0rd2024", "qwerty123", "1qaz2wsx",
		"letmein!", "iloveyou2", "Dragon1990", "monkey123", "123456789", "aaaaaaaa", "abcdefgh",
		"987654321", "Football#1", "zaq12wsx", "Welcome2023!", "trustno1", "12341234",
	} {
		if !Breached(pw) {
			t.Errorf("Breached(%q) = false", pw)
		}
	}
	for _, pw := range []string{
		"correct horse battery staple", "Zebra7-cake", "vN4#qLp9-wT2", "sunshine over Lyon 1987 ☀",
	} {
		if Breached(pw) {
			t.Errorf("Breached(%q) = true", pw)
		}
	}
}

// TestEmbeddedListIsGenerated checks that the embedded list is exactly what the generator
// makes, so the list's documented origin stays true.
func TestEmbeddedListIsGenerated(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(weakList))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(weaklist.Generate(), "\n") + "\n"
	if string(raw) != want {
		t.Fatal("weak.txt.gz is out of date: run go generate ./internal/password/")
	}
	n := strings.Count(want, "\n")
	if n < 150_000 || n > 250_000 {
		t.Errorf("the list has %d entries; the documentation says about 196,000", n)
	}
}
