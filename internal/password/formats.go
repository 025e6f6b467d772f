package password

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Schemes of the hash formats Latchkey verifies. Only argon2id is ever written.
const (
	SchemeArgon2id     = "argon2id"
	SchemeArgon2i      = "argon2i"
	SchemeBcrypt       = "bcrypt"
	SchemeScrypt       = "scrypt"
	SchemePBKDF2SHA256 = "pbkdf2-sha256"
	SchemePBKDF2SHA512 = "pbkdf2-sha512"
)

// Bounds on imported hashes' costs: low enough that one verification stays within seconds,
// high enough for every cost in real use.
const (
	maxBcryptCost  = 15
	maxScryptLogN  = 20 // N = 2^20
	maxScryptMem   = 256 << 20
	minPBKDF2Iters = 1000
	maxPBKDF2Iters = 10_000_000
	bcryptMaxBytes = 72 // bcrypt reads no further; systems that made these hashes truncated
)

// decoded is a parsed hash that can check a password.
type decoded interface {
	scheme() string
	matches(password []byte) bool
	// cost estimates what one verification takes (see cost.go); overLimit explains, for a
	// hash above l, which parameters exceed it and how far they may go.
	cost() cost
	overLimit(l costLimit) string
}

// decode parses any supported hash string and checks its parameters against the bounds.
func decode(s string) (decoded, error) {
	if strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$") {
		return decodeBcrypt(s)
	}
	p, err := parsePHC(s)
	if err != nil {
		return nil, err
	}
	switch p.id {
	case SchemeArgon2id, SchemeArgon2i:
		return decodeArgon2(p)
	case SchemeScrypt:
		return decodeScrypt(p)
	case SchemePBKDF2SHA256, SchemePBKDF2SHA512:
		return decodePBKDF2(p)
	}
	return nil, fmt.Errorf("%w: unknown scheme %q", errFormat, p.id)
}

type argon2Hash struct {
	id     bool // argon2id rather than argon2i
	params Params
	salt   []byte
	key    []byte
}

func decodeArgon2(p phc) (decoded, error) {
	if p.version != "19" {
		return nil, errors.New("argon2 hashes must be version 19 (v=19)")
	}
	m, err := p.uintParam("m", 8, maxImportMemory)
	if err != nil {
		return nil, err
	}
	t, err := p.uintParam("t", 1, maxTime)
	if err != nil {
		return nil, err
	}
	threads, err := p.uintParam("p", 1, 255)
	if err != nil {
		return nil, err
	}
	if len(p.params) != 3 || m < 8*threads {
		return nil, errors.New("argon2 parameters must be m, t and p, with m at least 8 per lane")
	}
	if err := p.checkLengths(); err != nil {
		return nil, err
	}
	return argon2Hash{
		id:     p.id == SchemeArgon2id,
		params: Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads)},
		salt:   p.salt, key: p.hash,
	}, nil
}

func (h argon2Hash) scheme() string {
	if h.id {
		return SchemeArgon2id
	}
	return SchemeArgon2i
}

func (h argon2Hash) matches(password []byte) bool {
	n := uint32(len(h.key))
	var got []byte
	if h.id {
		got = argon2.IDKey(password, h.salt, h.params.Time, h.params.Memory, h.params.Threads, n)
	} else {
		got = argon2.Key(password, h.salt, h.params.Time, h.params.Memory, h.params.Threads, n)
	}
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// encodeArgon2id writes an argon2id hash in PHC form.
func encodeArgon2id(p Params, salt, key []byte) string {
	return "$argon2id$v=19$" + p.String() + "$" + encodeB64(salt) + "$" + encodeB64(key)
}

type bcryptHash struct{ raw []byte }

func decodeBcrypt(s string) (decoded, error) {
	if len(s) != 60 {
		return nil, errors.New("bcrypt hashes are 60 characters long")
	}
	cost, err := bcrypt.Cost([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("bcrypt: %w", err)
	}
	if cost < bcrypt.MinCost || cost > maxBcryptCost {
		return nil, fmt.Errorf("bcrypt cost must be between %d and %d", bcrypt.MinCost, maxBcryptCost)
	}
	return bcryptHash{raw: []byte(s)}, nil
}

func (bcryptHash) scheme() string { return SchemeBcrypt }

// rounds is the hash's cost parameter, checked when it was decoded.
func (h bcryptHash) rounds() int {
	c, _ := bcrypt.Cost(h.raw)
	return c
}

// matches compares in constant time inside the bcrypt package.
func (h bcryptHash) matches(password []byte) bool {
	if len(password) > bcryptMaxBytes {
		password = password[:bcryptMaxBytes]
	}
	return bcrypt.CompareHashAndPassword(h.raw, password) == nil
}

type scryptHash struct {
	logN, r, p int
	salt, key  []byte
}

func decodeScrypt(p phc) (decoded, error) {
	logN, err := p.uintParam("ln", 1, maxScryptLogN)
	if err != nil {
		return nil, err
	}
	r, err := p.uintParam("r", 1, 32)
	if err != nil {
		return nil, err
	}
	par, err := p.uintParam("p", 1, 16)
	if err != nil {
		return nil, err
	}
	if len(p.params) != 3 || p.version != "" {
		return nil, errors.New("scrypt parameters must be ln, r and p")
	}
	if 128*r<<logN > maxScryptMem {
		return nil, errors.New("scrypt parameters need more than 256 MiB")
	}
	if err := p.checkLengths(); err != nil {
		return nil, err
	}
	return scryptHash{logN: int(logN), r: int(r), p: int(par), salt: p.salt, key: p.hash}, nil
}

func (scryptHash) scheme() string { return SchemeScrypt }

func (h scryptHash) matches(password []byte) bool {
	got, err := scrypt.Key(password, h.salt, 1<<h.logN, h.r, h.p, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(got, h.key) == 1
}

type pbkdf2Hash struct {
	sha512    bool
	iter      int
	salt, key []byte
}

// decodePBKDF2 reads "$pbkdf2-sha256$i=<rounds>$<salt>$<hash>", and passlib's form, which
// writes the rounds bare: "$pbkdf2-sha256$<rounds>$<salt>$<hash>".
func decodePBKDF2(p phc) (decoded, error) {
	if p.version != "" {
		return nil, errors.New("PBKDF2 hashes take no version")
	}
	var iter uint64
	var err error
	if p.bare != "" {
		iter, err = strconv.ParseUint(p.bare, 10, 64)
		if err != nil || iter < minPBKDF2Iters || iter > maxPBKDF2Iters {
			err = fmt.Errorf("parameter i must be between %d and %d", minPBKDF2Iters, maxPBKDF2Iters)
		}
	} else {
		iter, err = p.uintParam("i", minPBKDF2Iters, maxPBKDF2Iters)
		if err == nil && len(p.params) != 1 {
			err = errors.New("PBKDF2 takes one parameter, i")
		}
	}
	if err != nil {
		return nil, err
	}
	if err := p.checkLengths(); err != nil {
		return nil, err
	}
	return pbkdf2Hash{sha512: p.id == SchemePBKDF2SHA512, iter: int(iter), salt: p.salt, key: p.hash}, nil
}

func (h pbkdf2Hash) scheme() string {
	if h.sha512 {
		return SchemePBKDF2SHA512
	}
	return SchemePBKDF2SHA256
}

func (h pbkdf2Hash) matches(password []byte) bool {
	newHash := sha256.New
	if h.sha512 {
		newHash = sha512.New
	}
	got, err := pbkdf2.Key(newHash, string(password), h.salt, h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(got, h.key) == 1
}

// CheckHash reports whether s is a hash the process-wide Hasher can import; see
// Hasher.CheckHash.
func CheckHash(s string) error { return Shared().CheckHash(s) }

// CheckHash reports whether s is a hash Latchkey can import: a supported format whose cost is
// within the bounds and within h's limit for imported hashes. The error names the field and
// says what is wrong, for the caller.
func (h *Hasher) CheckHash(s string) error {
	if _, err := h.decode(strings.TrimSpace(s)); err != nil {
		return fmt.Errorf("password_hash: %w", err)
	}
	return nil
}

// Scheme returns the scheme of a hash string, or "" when it is not a supported hash.
func Scheme(s string) string {
	d, err := decode(s)
	if err != nil {
		return ""
	}
	return d.scheme()
}
