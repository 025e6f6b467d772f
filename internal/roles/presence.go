package roles

import (
	"context"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// PresenceTTL is how long a node trusts its knowledge that an application has no roles. A
// login reads the user's roles only in applications that have some (or when a token asks for
// them), so that applications without roles pay nothing; an application's first role created
// through another node shows in this node's tokens at most this long after.
const PresenceTTL = 30 * time.Second

// presence remembers, per application, whether it has roles. Roles created through this node
// mark their application at once.
type presence struct {
	mu   sync.Mutex
	apps map[string]presenceEntry
}

type presenceEntry struct {
	has   bool
	until time.Time
}

// maxPresence bounds the memo; past it, the memo starts again empty.
const maxPresence = 10000

var appsWithRoles = &presence{apps: map[string]presenceEntry{}}

func presenceKey(tenantID, appID string) string { return tenantID + "\x00" + appID }

func (p *presence) set(tenantID, appID string, has bool, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.apps) >= maxPresence {
		p.apps = map[string]presenceEntry{}
	}
	p.apps[presenceKey(tenantID, appID)] = presenceEntry{has: has, until: until}
}

// AppHasRoles reports whether the application has at least one role, reading the store only
// when this node has not looked for PresenceTTL. An application known to have roles is
// remembered for as long: deleting its last role costs logins one wasted read until then.
func AppHasRoles(ctx context.Context, st storage.Store, tenantID, appID string, now time.Time) (bool, error) {
	p := appsWithRoles
	p.mu.Lock()
	e, ok := p.apps[presenceKey(tenantID, appID)]
	p.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.has, nil
	}
	list, err := st.ListRoles(ctx, tenantID, appID)
	if err != nil {
		return false, err
	}
	p.set(tenantID, appID, len(list) > 0, now.Add(PresenceTTL))
	return len(list) > 0, nil
}

// markHasRoles records that an application has a role, for as long as PresenceTTL.
func markHasRoles(tenantID, appID string, now time.Time) {
	appsWithRoles.set(tenantID, appID, true, now.Add(PresenceTTL))
}
