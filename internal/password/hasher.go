package password

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/observe"
)

// Config configures a Hasher; zero values take the defaults.
type Config struct {
	Params Params
	// Workers is how many hashes or verifications run at once: GOMAXPROCS by default. Memory
	// held by hashing is at most Workers × Params.Memory, or Workers × ImportCost × that when
	// every worker verifies an imported hash at the limit.
	Workers int
	// Queue is how many calls may wait for a worker; beyond it calls fail at once. The default
	// is 32 per worker, about a second of waiting at the default parameters. Tenants share
	// workers and queue fairly (see pool).
	Queue int
	// ImportCost is how many times the cost of a hash at Params (or at OWASP's minimum, when
	// Params are lower) an imported hash may cost: DefaultImportCost by default. Imports
	// above it are refused and stored hashes above it are never computed.
	ImportCost int
	// OnRun, when set, is called as each computation starts, with the tenant it is for.
	OnRun func(tenantID string)
	// OnWait, when set, is told how long each call waited for a worker, and the busy fault
	// it failed with instead of getting one (nil when it got one).
	OnWait func(waited time.Duration, err error)
	// Tracer, when set, starts a span for each computation, its wait included.
	Tracer observe.Tracer
}

// CodeBusy reports that too many password checks are waiting; the caller may retry shortly.
const CodeBusy = "system_busy"

// busyRetry is the Retry-After of a busy answer: long enough for the queue to drain somewhat.
const busyRetry = time.Second

// Hasher hashes and verifies passwords through a bounded pool: at most Workers computations
// run at once, at most Queue more wait, and any further call fails with a 503 fault rather
// than piling up goroutines and memory. Every call names the tenant it is for, and the pool
// shares its workers and its queue fairly between tenants. It is safe for concurrent use.
type Hasher struct {
	params Params
	limit  costLimit
	pool   *pool
	tracer observe.Tracer

	dummyOnce sync.Once
	dummy     decoded
}

// NewHasher returns a Hasher, or an error when the parameters are out of range.
func NewHasher(cfg Config) (*Hasher, error) {
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams()
	}
	if p := cfg.Params.Problems(); len(p) > 0 {
		return nil, fmt.Errorf("password hashing: %s", p[0])
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 32 * cfg.Workers
	}
	if cfg.ImportCost <= 0 {
		cfg.ImportCost = DefaultImportCost
	}
	return &Hasher{
		params: cfg.Params,
		limit:  newCostLimit(cfg.Params, cfg.ImportCost),
		pool:   newPool(cfg.Workers, cfg.Queue, cfg.OnRun, cfg.OnWait),
		tracer: cfg.Tracer,
	}, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the argon2id hash of password in PHC form, with a new random salt. tenantID is
// the tenant the work is for: its share of the pool is what the call waits in.
func (h *Hasher) Hash(ctx context.Context, tenantID, password string) (string, error) {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	var out string
	err := h.run(ctx, "password.hash", tenantID, func() {
		key := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, keyLen)
		out = encodeArgon2id(h.params, salt, key)
	})
	return out, err
}

// Verify reports whether password matches encoded, a hash in any supported format. A hash
// that cannot be decoded is an Internal fault: stored hashes were checked when they were set.
// A hash above the limit for imported hashes (stored before the limit, or under a higher one)
// is not computed: the error wraps ErrTooCostly, and the caller decides what to answer.
func (h *Hasher) Verify(ctx context.Context, tenantID, encoded, password string) (bool, error) {
	d, err := h.decode(encoded)
	if errors.Is(err, ErrTooCostly) {
		return false, err
	} else if err != nil {
		return false, fault.Wrap(err, "decode stored password hash")
	}
	var ok bool
	err = h.run(ctx, "password.verify", tenantID, func() { ok = d.matches([]byte(password)) })
	return ok && err == nil, err
}

// VerifyDummy spends what verifying a password costs, against a hash of nothing anyone knows,
// so that a login for an unknown user takes as long as one with a wrong password. It counts
// against tenantID's share of the pool like any verification: a flood of unknown names is
// still the flooding tenant's.
func (h *Hasher) VerifyDummy(ctx context.Context, tenantID, password string) error {
	h.dummyOnce.Do(func() {
		salt := make([]byte, saltLen)
		_, _ = rand.Read(salt)
		h.dummy = argon2Hash{id: true, params: h.params, salt: salt, key: make([]byte, keyLen)}
	})
	return h.run(ctx, "password.verify", tenantID, func() { _ = h.dummy.matches([]byte(password)) })
}

// decode parses a hash and checks it against h's limit for imported hashes.
func (h *Hasher) decode(s string) (decoded, error) {
	d, err := decode(s)
	if err != nil {
		return nil, err
	}
	if err := h.limit.check(d); err != nil {
		return nil, err
	}
	return d, nil
}

// NeedsRehash reports whether encoded should be replaced by a new hash: true for anything but
// an argon2id hash at the current parameters with Latchkey's salt and hash lengths.
func (h *Hasher) NeedsRehash(encoded string) bool {
	d, err := decode(encoded)
	if err != nil {
		return true
	}
	a, ok := d.(argon2Hash)
	return !ok || !a.id || a.params != h.params || len(a.key) != keyLen || len(a.salt) < saltLen
}

var shared struct {
	mu sync.Mutex
	h  *Hasher
}

// SetShared makes h the process-wide Hasher. The command calls it once at start-up with the
// configured parameters; tests call it with cheap ones.
func SetShared(h *Hasher) {
	shared.mu.Lock()
	shared.h = h
	shared.mu.Unlock()
}

// Shared returns the process-wide Hasher, creating one with the defaults on first use. One pool
// serves every caller so that the memory hashing takes is bounded for the whole process.
func Shared() *Hasher {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.h == nil {
		shared.h, _ = NewHasher(Config{}) // the defaults are valid
	}
	return shared.h
}
