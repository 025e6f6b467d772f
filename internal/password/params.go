package password

import (
	"fmt"
	"strconv"
	"strings"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
}

// OWASP's recommended minimum for argon2id (Password Storage Cheat Sheet): 19 MiB, two passes,
// one lane. Each hash then takes tens of milliseconds and 19 MiB of memory.
const (
	DefaultMemory  = 19 * 1024
	DefaultTime    = 2
	DefaultThreads = 1
)

// Lengths of what Latchkey generates: a 128-bit salt and a 256-bit hash.
const (
	saltLen = 16
	keyLen  = 32
)

// Bounds on parameters, for configuration and for imported hashes. The upper bounds keep one
// verification from taking more than a few seconds or 256 MiB (1 GiB for configuration).
const (
	maxConfigMemory = 1 << 20 // KiB: 1 GiB
	maxImportMemory = 1 << 18 // KiB: 256 MiB
	maxTime         = 64
)

// DefaultParams returns OWASP's argon2id parameters.
func DefaultParams() Params {
	return Params{Memory: DefaultMemory, Time: DefaultTime, Threads: DefaultThreads}
}

// String returns p in PHC form: "m=19456,t=2,p=1".
func (p Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// Problems lists every out-of-range parameter, for configuration errors.
func (p Params) Problems() []string {
	var out []string
	if p.Threads < 1 {
		out = append(out, "argon2id parallelism must be at least 1")
	}
	if p.Time < 1 || p.Time > maxTime {
		out = append(out, fmt.Sprintf("argon2id iterations must be between 1 and %d", maxTime))
	}
	// Argon2 needs at least 8 KiB per lane.
	if p.Memory < 8*uint32(max(p.Threads, 1)) || p.Memory > maxConfigMemory {
		out = append(out, fmt.Sprintf("argon2id memory must be between 8 KiB per lane and %d KiB", maxConfigMemory))
	}
	return out
}

// ParseParams reads parameters in PHC form, "m=19456,t=2,p=1", in any order; each of the three
// is required.
func ParseParams(s string) (Params, error) {
	var p Params
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return p, fmt.Errorf("argon2 parameters must look like m=19456,t=2,p=1, not %q", s)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("argon2 parameter %s must be a whole number, not %q", k, v)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, fmt.Errorf("argon2 parallelism must be at most 255")
			}
			p.Threads = uint8(n)
		default:
			return p, fmt.Errorf("unknown argon2 parameter %q; use m, t and p", k)
		}
	}
	if !seen["m"] || !seen["t"] || !seen["p"] {
		return p, fmt.Errorf("argon2 parameters need m, t and p, as in m=19456,t=2,p=1")
	}
	return p, nil
}
