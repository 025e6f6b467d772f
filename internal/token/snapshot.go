package token

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkey/latchkey/internal/model"
)

// Deployment owns the signing keys shared by every tenant that has no keys of its own. It is
// stored in place of a tenant id and can never be one: tenant ids are 26 base32 characters
// (model.NewID).
const Deployment = "deployment"

// snapshot is everything a node knows about keys at one moment: every published key, the key
// each owner signs with, and the JWKS document serialised once. Signing, verifying and
// publishing all read the same snapshot, so a node never signs with a key that the document it
// serves does not list. A snapshot is immutable once built, apart from the signing keys'
// lazily opened private halves.
type snapshot struct {
	loadedAt time.Time
	byID     map[string]*publicKey  // every published key
	keys     []*publicKey           // the same, in document order
	signing  map[string]*signingKey // by owner: Deployment, and each tenant with keys of its own
	doc      []byte                 // the JWKS document
	etag     string                 // strong entity tag of doc
}

// key returns the published key kid when it may have signed a token of tenantID: a key of
// that tenant or of the deployment. A tenant's own key never verifies another tenant's token.
func (s *snapshot) key(tenantID, kid string) *publicKey {
	if s == nil {
		return nil
	}
	k := s.byID[kid]
	if k == nil || (k.owner != tenantID && k.owner != Deployment) {
		return nil
	}
	return k
}

// signerFor returns the key a tenant's tokens are signed with: its own signing key when it has
// one, the deployment's otherwise; nil when neither exists yet.
func (s *snapshot) signerFor(tenantID string) *signingKey {
	if s == nil {
		return nil
	}
	if k := s.signing[tenantID]; k != nil {
		return k
	}
	return s.signing[Deployment]
}

// newSnapshot builds a snapshot from every stored key (oldest first). Disabled keys past the
// maximum token lifetime are left out: nothing they signed can still be valid. Parses, opened
// private keys and the serialised document of prev are reused where the keys are the same,
// so a reload that finds nothing new costs a database read and little else.
func (m *Manager) newSnapshot(records []model.SigningKey, prev *snapshot) (*snapshot, error) {
	now := m.now()
	s := &snapshot{loadedAt: now, byID: map[string]*publicKey{}, signing: map[string]*signingKey{}}
	// The deployment's keys lead the document: they verify most tokens.
	ordered := make([]model.SigningKey, 0, len(records))
	for _, deployment := range []bool{true, false} {
		for _, rec := range records {
			if (rec.TenantID == Deployment) == deployment {
				ordered = append(ordered, rec)
			}
		}
	}
	chosen := map[string]*model.SigningKey{}
	for i := range ordered {
		rec := &ordered[i]
		if rec.Status == model.KeyDisabled && now.Sub(rec.UpdatedAt) > m.maxLifetime {
			continue
		}
		pub, err := reusePublic(prev, *rec)
		if err != nil {
			return nil, fmt.Errorf("load signing key %s of %s: %w", rec.ID, rec.TenantID, err)
		}
		s.byID[rec.ID] = pub
		s.keys = append(s.keys, pub)
		if rec.Status == model.KeySigning {
			if cur := chosen[rec.TenantID]; cur == nil || newer(*rec, *cur) {
				chosen[rec.TenantID] = rec
			}
		}
	}
	for owner, rec := range chosen {
		if old := prev.signerFor(owner); old != nil && old.id == rec.ID && old.owner == owner {
			s.signing[owner] = old // keeps the private half already opened
			continue
		}
		s.signing[owner] = &signingKey{publicKey: *s.byID[rec.ID], record: *rec, open: m.openPrivate}
	}
	if prev != nil && samePublished(prev.keys, s.keys) {
		s.doc, s.etag = prev.doc, prev.etag
		return s, nil
	}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(s.keys))}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, k.jwk)
	}
	doc, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("serialise jwks: %w", err)
	}
	sum := sha256.Sum256(doc)
	s.doc, s.etag = doc, `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`
	return s, nil
}

// reusePublic returns prev's parse of rec's public key when the stored JWK is unchanged, and
// parses it otherwise.
func reusePublic(prev *snapshot, rec model.SigningKey) (*publicKey, error) {
	if prev != nil {
		if old := prev.byID[rec.ID]; old != nil && old.owner == rec.TenantID && slices.Equal(old.raw, rec.PublicJWK) {
			return old, nil
		}
	}
	return parsePublic(rec)
}

// samePublished reports whether two snapshots publish the same keys in the same order. Key
// ids are unique and a key's public half never changes once its parse is reused, so pointer
// equality of the parses is enough.
func samePublished(a, b []*publicKey) bool {
	return slices.Equal(a, b)
}
