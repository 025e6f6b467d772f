package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Bounds on how long a fetched key set is kept: Latchkey says a minute; a server that says
// nothing gets defaultKeysAge, and none is kept beyond maxKeysAge.
const (
	defaultKeysAge = 5 * time.Minute
	maxKeysAge     = 24 * time.Hour
)

// keySet is the cached JWKS.
type keySet struct {
	url      string
	http     *http.Client
	now      func() time.Time
	interval time.Duration // least time between fetches for an unknown kid

	mu      sync.Mutex // held during a fetch, so that concurrent misses wait for one
	keys    map[string]jose.JSONWebKey
	etag    string
	fetched time.Time // when the set was last fetched or revalidated; zero before the first
	expires time.Time
}

var errUnknownKey = errors.New("the token's key is not in the JWKS")

// key returns the published key named kid, fetching the set when it has none yet, when it has
// expired, or when kid is unknown and the last fetch was at least interval ago.
func (s *keySet) key(ctx context.Context, kid string) (jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	k, ok := s.keys[kid]
	stale := s.fetched.IsZero() || !now.Before(s.expires)
	if ok && !stale {
		return k, nil
	}
	if !stale && now.Sub(s.fetched) < s.interval {
		return jose.JSONWebKey{}, errUnknownKey
	}
	if err := s.fetch(ctx); err != nil {
		// A failed fetch keeps the keys held: Latchkey being briefly unreachable should not
		// turn every request away while the tokens' keys are known.
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
		return jose.JSONWebKey{}, err
	}
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return jose.JSONWebKey{}, errUnknownKey
}

// fetch reads the set, conditionally when an ETag is held. Called with s.mu held.
func (s *keySet) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return err
	}
	if s.etag != "" && s.keys != nil {
		req.Header.Set("If-None-Match", s.etag)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	defer res.Body.Close()
	now := s.now()
	switch res.StatusCode {
	case http.StatusNotModified:
		s.fetched, s.expires = now, now.Add(maxAge(res.Header))
		return nil
	case http.StatusOK:
	default:
		return fmt.Errorf("fetch JWKS: %s answered %d", s.url, res.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	keys := map[string]jose.JSONWebKey{}
	for _, k := range set.Keys {
		if k.KeyID == "" || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		keys[k.KeyID] = k
	}
	s.keys, s.etag = keys, res.Header.Get("ETag")
	s.fetched, s.expires = now, now.Add(maxAge(res.Header))
	return nil
}

// maxAge reads Cache-Control's max-age, bounded.
func maxAge(h http.Header) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		secs, err := strconv.Atoi(value)
		if err != nil || secs < 0 {
			break
		}
		return min(time.Duration(secs)*time.Second, maxKeysAge)
	}
	return defaultKeysAge
}
