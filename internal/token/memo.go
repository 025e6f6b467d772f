package token

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/go-jose/go-jose/v4/jwt"
)

// memoSize bounds the tokens a memo remembers, and memoMaxToken the size of a token it
// remembers: a full memo holds at most memoSize payloads of under memoMaxToken bytes each
// (16 MiB; a Manager has two memos), however large the tokens presented (user tokens can carry
// tens of kilobytes of custom data) and however many spellings of one token the base64 decoder
// accepts. A backend keeps one client access token for its lifetime, so a node sees few
// distinct bearers; a resource server introspecting the tokens of more than memoSize active
// users finds fewer of them remembered (eviction is at random), and checks the others'
// signatures as it did without a memo.
const (
	memoSize     = 4096
	memoMaxToken = 4096
)

// memo remembers tokens whose signature has been checked. API callers present the same
// bearer on every request, and resource servers introspect the same token on each of its
// user's calls, while checking an ES256 signature costs more than the rest of a read-only
// call; a memo makes it one check per token and node.
//
// Only the signature's verdict is remembered. Every use still finds the token's key among
// the tenant's published keys (a key that stops being published stops its tokens at once,
// as without the memo) and checks iss, exp, nbf and iat against the current time. Entries
// are keyed by the SHA-256 of the whole token, so a token that differs in any byte is
// verified afresh.
type memo struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]memoEntry
}

// memoEntry is what a verified token's signature check established.
type memoEntry struct {
	tenant  string
	kid     string
	alg     string
	std     jwt.Claims
	payload []byte
}

func (m *memo) get(raw string) (memoEntry, bool) {
	if len(raw) > memoMaxToken {
		return memoEntry{}, false
	}
	k := sha256.Sum256([]byte(raw))
	m.mu.Lock()
	e, ok := m.m[k]
	m.mu.Unlock()
	return e, ok
}

func (m *memo) put(raw string, e memoEntry) {
	if len(raw) > memoMaxToken {
		return
	}
	k := sha256.Sum256([]byte(raw))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[[sha256.Size]byte]memoEntry)
	}
	if len(m.m) >= memoSize {
		// Evict an arbitrary entry (map order): a token evicted in use is verified again and
		// put back. Expired tokens leave this way too, as newer tokens replace them.
		for k := range m.m {
			delete(m.m, k)
			break
		}
	}
	m.m[k] = e
}

// forget drops a token, used when a remembered token fails a check.
func (m *memo) forget(raw string) {
	k := sha256.Sum256([]byte(raw))
	m.mu.Lock()
	delete(m.m, k)
	m.mu.Unlock()
}

// VerifyBearer is Verify for a bearer credential that its holder presents on many requests,
// such as a client access token: a token whose signature this Manager has already checked is
// not checked again (see memo), while its key must still be published and its times valid.
func (m *Manager) VerifyBearer(ctx context.Context, raw string, dest any) error {
	return m.verifyRemembered(ctx, raw, dest, &m.bearers)
}

// VerifyIntrospected is VerifyBearer for tokens presented to introspection. A resource server
// introspects a user's access token on each of that user's calls, so the same token comes
// back many times in its lifetime. Introspected tokens have a memo of their own: a resource
// server with thousands of users then never evicts the few bearer tokens that API callers
// present, nor they its tokens.
func (m *Manager) VerifyIntrospected(ctx context.Context, raw string, dest any) error {
	return m.verifyRemembered(ctx, raw, dest, &m.introspected)
}

func (m *Manager) verifyRemembered(ctx context.Context, raw string, dest any, mem *memo) error {
	if e, ok := mem.get(raw); ok {
		key, err := m.lookup(ctx, e.tenant, e.kid)
		if err != nil {
			return err
		}
		if key == nil || key.alg != e.alg {
			mem.forget(raw)
			return invalid("unknown key")
		}
		err = m.checkClaims(e.std, e.payload, dest)
		if err != nil {
			mem.forget(raw)
		}
		return err
	}
	return m.verify(ctx, raw, "", dest, mem)
}
