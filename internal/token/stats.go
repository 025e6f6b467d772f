package token

import "time"

// CacheAge is how long ago the node last read the signing keys into its snapshot, and false
// when it holds none (none read yet, or dropped by a rotation through this node). It grows to
// the cache TTL and starts again at the next use after that; an age far past the TTL means
// the node has not needed its keys since.
func (m *Manager) CacheAge() (time.Duration, bool) {
	s := m.snap.Load()
	if s == nil {
		return 0, false
	}
	return m.now().Sub(s.loadedAt), true
}
