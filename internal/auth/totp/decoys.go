package totp

import (
	"encoding/base32"
	"math"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
)

// credentialDecoys are stand-in credentials that a login by a stored credential checks when the
// named user has none of the method's (nobody has the name, or the user never enrolled): a
// sealed TOTP key per algorithm and a full set of recovery codes. Checking them costs what
// checking a real user's costs (the key opened, every code's hash computed), and they can
// never match: the TOTP stand-in has accepted the last step there is, and every recovery code
// is used and its hash random. They live in memory only and are made once per Service.
type credentialDecoys struct {
	once     sync.Once
	totp     map[string]model.Credential // by algorithm
	recovery []model.Credential
}

func (d *credentialDecoys) init(s *Service) {
	d.once.Do(func() {
		d.totp = map[string]model.Credential{}
		for _, alg := range []string{model.TOTPSHA1, model.TOTPSHA256, model.TOTPSHA512} {
			cr := model.Credential{ID: model.NewID(), TenantID: "decoy", Type: model.CredentialTOTP}
			key := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(newTOTPSecret(alg))
			sealed, err := s.sealTOTP(cr.TenantID, cr.ID, key)
			if err != nil {
				continue // the real credentials are sealed the same way; none would open either
			}
			cr.Secret = sealed
			d.totp[alg] = cr
		}
		var used time.Time
		for range RecoveryCodeCount {
			id := model.NewID()
			d.recovery = append(d.recovery, model.Credential{ID: id, Type: model.CredentialRecovery,
				Secret: s.keys.HashCode(id, secret.NewLinkCode()), LastUsedAt: &used})
		}
	})
}

// padTOTP returns creds, or, when none of them is a confirmed credential that a login would
// check, creds and the stand-in of the application's algorithm and digits.
func (d *credentialDecoys) padTOTP(s *Service, creds []model.Credential, prefs model.TOTPPreferences) []model.Credential {
	for _, cr := range creds {
		if t, err := parseTOTPData(cr.Data); err == nil && t.Confirmed {
			return creds
		}
	}
	d.init(s)
	cr, ok := d.totp[prefs.Algorithm]
	if !ok {
		return creds
	}
	cr.Data = totpData{Algorithm: prefs.Algorithm, Digits: prefs.Digits, Period: prefs.Period, Confirmed: true,
		LastStep: math.MaxInt64}.encode()
	return append(creds[:len(creds):len(creds)], cr)
}

// padRecovery returns creds, or the stand-in set when there are none.
func (d *credentialDecoys) padRecovery(s *Service, creds []model.Credential) []model.Credential {
	if len(creds) > 0 {
		return creds
	}
	d.init(s)
	return d.recovery
}
