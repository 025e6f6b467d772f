package password

import (
	"errors"
	"fmt"
)

// Every login of a user with an imported hash computes that hash, on the pool every tenant
// shares. An imported hash's cost is therefore capped relative to the server's own hashes:
// a hash far costlier than those (argon2id at 256 MiB and 64 passes takes seconds) would let
// one tenant's logins hold the workers everybody's logins need.
//
// Costs are estimated in work units, one argon2 pass over 1 KiB of memory (about half a
// microsecond on a current server core), and in KiB of memory. The other formats' rates were
// measured against argon2id with the same libraries; they are estimates, good to a factor of
// two on any current CPU, which is all a cap needs.
const (
	bcryptUnits        = 100 // per round of 2^cost
	scryptUnitsDivisor = 2   // N·r·p/2
	pbkdf2SHA256Per3   = 1   // one unit per three SHA-256 iterations
	pbkdf2SHA512Per5   = 4   // four units per five SHA-512 iterations
)

// DefaultImportCost is how many times the cost of a hash of the server's own an imported hash
// may cost by default: enough for bcrypt at cost 12, PBKDF2-SHA256 at 1.2 million rounds,
// scrypt at N=2^16 and argon2id at 64 MiB and three passes.
const DefaultImportCost = 12

// ErrTooCostly reports a stored hash whose verification would cost more than the cap allows.
// Such a hash is never computed.
var ErrTooCostly = errors.New("costs more to verify than this server allows")

// cost is an estimate of what one verification of a hash takes.
type cost struct {
	work   uint64 // units, see above
	memory uint64 // KiB
}

// costLimit is the most an imported hash may cost: factor times the cost of a hash at the
// configured parameters, or at OWASP's minimum when those are lower, so that a server set up
// with cheap parameters still imports what other systems commonly use.
type costLimit struct {
	factor int
	cost
}

func newCostLimit(p Params, factor int) costLimit {
	d := DefaultParams()
	work := max(uint64(p.Memory)*uint64(p.Time), uint64(d.Memory)*uint64(d.Time))
	mem := max(uint64(p.Memory), uint64(d.Memory))
	return costLimit{factor: factor, cost: cost{work: work * uint64(factor), memory: mem * uint64(factor)}}
}

func (l costLimit) allows(c cost) bool { return c.work <= l.work && c.memory <= l.memory }

// check returns nil when d is within the limit, and otherwise says which of d's parameters
// exceed it and how far they may go, for whoever imports the hash.
func (l costLimit) check(d decoded) error {
	if l.allows(d.cost()) {
		return nil
	}
	return fmt.Errorf("%w: %s (an imported hash may cost at most %d times a hash of this server's own)",
		ErrTooCostly, d.overLimit(l), l.factor)
}

func (h argon2Hash) cost() cost {
	m := uint64(h.params.Memory)
	return cost{work: m * uint64(h.params.Time), memory: m}
}

func (h argon2Hash) overLimit(l costLimit) string {
	return fmt.Sprintf("%s m=%d,t=%d: m may be at most %d (KiB) and m×t at most %d",
		h.scheme(), h.params.Memory, h.params.Time, l.memory, l.work)
}

// bcrypt's state is about 4 KiB whatever the cost.
func (h bcryptHash) cost() cost { return cost{work: bcryptUnits << h.rounds(), memory: 4} }

func (h bcryptHash) overLimit(l costLimit) string {
	most := 0
	for c := 1; bcryptUnits<<c <= l.work; c++ {
		most = c
	}
	return fmt.Sprintf("bcrypt cost %d: the cost may be at most %d", h.rounds(), most)
}

func (h scryptHash) cost() cost {
	n := uint64(1) << h.logN
	return cost{
		work:   n * uint64(h.r) * uint64(h.p) / scryptUnitsDivisor,
		memory: 128 * uint64(h.r) * n / 1024,
	}
}

func (h scryptHash) overLimit(l costLimit) string {
	return fmt.Sprintf("scrypt ln=%d,r=%d,p=%d: 2^ln×r×p may be at most %d and 2^ln×r at most %d",
		h.logN, h.r, h.p, l.work*scryptUnitsDivisor, l.memory*1024/128)
}

// blocks is how many times PBKDF2 runs its iterations: once per hash-sized block of the key.
func (h pbkdf2Hash) blocks() uint64 {
	size := 32
	if h.sha512 {
		size = 64
	}
	return uint64((len(h.key) + size - 1) / size)
}

func (h pbkdf2Hash) cost() cost {
	n := uint64(h.iter) * h.blocks()
	if h.sha512 {
		return cost{work: n * pbkdf2SHA512Per5 / 5, memory: 1}
	}
	return cost{work: n * pbkdf2SHA256Per3 / 3, memory: 1}
}

func (h pbkdf2Hash) overLimit(l costLimit) string {
	most := l.work * 3 / pbkdf2SHA256Per3
	if h.sha512 {
		most = l.work * 5 / pbkdf2SHA512Per5
	}
	return fmt.Sprintf("%s i=%d: i may be at most %d for a %d-byte hash",
		h.scheme(), h.iter, most/h.blocks(), len(h.key))
}
