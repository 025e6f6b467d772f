package portal

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/token"
)

// keyRow is a signing key as the keys page lists it.
type keyRow struct {
	model.SigningKey
	// State is the key's part in rotation: active (signs), next (published, signs after the
	// next rotation) or retired (signs nothing, still verifies what it signed).
	State string
	// Shared is set for the deployment's keys, which the tenant signs with while it has no
	// signing key of its own, and which only the operator rotates.
	Shared bool
}

// keysPage is the data of the signing keys page.
type keysPage struct {
	Keys []keyRow
	// OwnKeys is set when the tenant has keys of its own; without, it signs with the
	// deployment's, and a rotation gives it its own.
	OwnKeys bool
	Alg     string
}

var keyStates = map[string]string{model.KeySigning: "active", model.KeyValidating: "next", model.KeyDisabled: "retired"}

func (p *Portal) keyManager() (*token.Manager, error) {
	if p.cfg.Tokens == nil {
		return nil, fault.New(fault.NotFound, "no_signing_keys", "this portal does not manage signing keys")
	}
	return p.cfg.Tokens, nil
}

// listKeys lists the keys that sign and verify the tenant's tokens, as the signing-keys API
// lists them (token.Manager.TenantKeys), newest first.
func (p *Portal) listKeys(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	tm, err := p.keyManager()
	if err != nil {
		return err
	}
	keys, err := tm.TenantKeys(r.Context(), s.Tenant.ID)
	if err != nil {
		return err
	}
	pg := keysPage{Alg: s.Tenant.SigningAlg}
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		shared := k.TenantID == token.Deployment
		pg.OwnKeys = pg.OwnKeys || !shared
		pg.Keys = append(pg.Keys, keyRow{SigningKey: k, State: keyStates[k.Status], Shared: shared})
	}
	p.render(w, r, http.StatusOK, "keys", view{Title: "Signing keys", Admin: s, Nav: "keys", Data: pg})
	return nil
}

// confirmRotate asks before a rotation: it changes which key signs every new token.
func (p *Portal) confirmRotate(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	tm, err := p.keyManager()
	if err != nil {
		return err
	}
	keys, err := tm.TenantKeys(r.Context(), s.Tenant.ID)
	if err != nil {
		return err
	}
	own := false
	for _, k := range keys {
		own = own || k.TenantID != token.Deployment
	}
	p.render(w, r, http.StatusOK, "keys_rotate", view{Title: "Rotate signing keys", Admin: s, Nav: "keys", Data: keysPage{OwnKeys: own}})
	return nil
}

// rotateKeys rotates the tenant's own keys as `latchkey keys rotate --tenant` does
// (token.Manager.Rotate): the next key becomes active, the active one retires (still
// verifying the tokens it signed until they expire) and a new next key is made.
func (p *Portal) rotateKeys(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	tm, err := p.keyManager()
	if err != nil {
		return err
	}
	if err := tm.Rotate(r.Context(), s.Tenant.ID); err != nil {
		return fault.Wrap(err, "rotate signing keys")
	}
	p.record(r, s, "signing_keys.rotate", "", nil)
	http.Redirect(w, r, Prefix+"/keys?done=keys-rotated", http.StatusSeeOther)
	return nil
}
