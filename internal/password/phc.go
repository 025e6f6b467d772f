package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// phc is a hash string in the PHC string format,
// "$<id>[$v=<version>][$<param>=<value>,...]$<salt>$<hash>", split into its fields.
type phc struct {
	id      string
	version string
	params  map[string]string
	bare    string // a parameter field without "=", as passlib writes PBKDF2 rounds
	salt    []byte
	hash    []byte
}

var errFormat = errors.New("not a supported password hash")

// parsePHC splits s into its fields and decodes the salt and the hash. Salt and hash are
// base64 without padding, in the standard alphabet (PHC) or with "." for "+" (passlib).
func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) < 5 || len(parts) > 6 || parts[0] != "" || parts[1] == "" {
		return phc{}, errFormat
	}
	out := phc{id: parts[1], params: map[string]string{}}
	rest := parts[2:]
	if len(rest) == 4 {
		v, ok := strings.CutPrefix(rest[0], "v=")
		if !ok {
			return phc{}, errFormat
		}
		out.version, rest = v, rest[1:]
	}
	if len(rest) != 3 {
		return phc{}, errFormat
	}
	if !strings.Contains(rest[0], "=") {
		out.bare = rest[0]
	} else {
		for _, kv := range strings.Split(rest[0], ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return phc{}, errFormat
			}
			if _, dup := out.params[k]; dup {
				return phc{}, errFormat
			}
			out.params[k] = v
		}
	}
	var err error
	if out.salt, err = decodeB64(rest[1]); err != nil {
		return phc{}, fmt.Errorf("salt: %w", err)
	}
	if out.hash, err = decodeB64(rest[2]); err != nil {
		return phc{}, fmt.Errorf("hash: %w", err)
	}
	return out, nil
}

// uintParam returns the named parameter as a number between lo and hi.
func (p phc) uintParam(name string, lo, hi uint64) (uint64, error) {
	v, ok := p.params[name]
	if !ok {
		return 0, fmt.Errorf("parameter %s is missing", name)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("parameter %s must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

// checkLengths bounds a decoded salt and hash: at least 8 bytes of salt and 16 of hash, so
// that no import is trivially weak, and at most 128 of each.
func (p phc) checkLengths() error {
	if len(p.salt) < 8 || len(p.salt) > 128 {
		return errors.New("salt must be 8 to 128 bytes")
	}
	if len(p.hash) < 16 || len(p.hash) > 128 {
		return errors.New("hash must be 16 to 128 bytes")
	}
	return nil
}

func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.ReplaceAll(s, ".", "+"), "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64")
	}
	return b, nil
}

func encodeB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
