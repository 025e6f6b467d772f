package totp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
)

// totpData is the public part of a TOTP credential, kept in model.Credential.Data. The
// parameters are fixed at enrolment, so that a later change of preferences does not break
// authenticators already set up.
type totpData struct {
	Algorithm string `json:"algorithm"`
	Digits    int    `json:"digits"`
	Period    int    `json:"period"`
	Confirmed bool   `json:"confirmed"`
	// LastStep is the newest time step (Unix time / Period) a code was accepted for. A code of
	// that step or an earlier one is refused, so that a code seen by someone else (over a
	// shoulder, in a phishing proxy) cannot be used again.
	LastStep int64 `json:"last_step"`
}

func parseTOTPData(raw json.RawMessage) (totpData, error) {
	var d totpData
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("decode TOTP data: %w", err)
	}
	return d, nil
}

func (d totpData) encode() json.RawMessage {
	out, _ := json.Marshal(d) // a struct of plain fields always encodes
	return out
}

// totpAlgorithm maps a preference name to the library's algorithm.
func totpAlgorithm(name string) otp.Algorithm {
	switch name {
	case model.TOTPSHA256:
		return otp.AlgorithmSHA256
	case model.TOTPSHA512:
		return otp.AlgorithmSHA512
	default:
		return otp.AlgorithmSHA1
	}
}

// totpSecretSize is the key length for an algorithm: as long as the hash's output (20, 32 or
// 64 bytes), like RFC 6238's reference keys, and above RFC 4226's minimum of 16.
func totpSecretSize(algorithm string) int {
	switch algorithm {
	case model.TOTPSHA256:
		return 32
	case model.TOTPSHA512:
		return 64
	default:
		return 20
	}
}

// totpSealAD binds a sealed TOTP key to its tenant and credential: a sealed key copied into
// another record does not open.
func totpSealAD(tenantID, credentialID string) []byte {
	return sealing.TOTPAD(tenantID, credentialID)
}

func (s *Service) sealTOTP(tenantID, credentialID, base32Secret string) ([]byte, error) {
	return s.keys.Seal([]byte(base32Secret), totpSealAD(tenantID, credentialID))
}

func (s *Service) openTOTP(c model.Credential) (string, error) {
	plain, err := s.keys.Open(c.Secret, totpSealAD(c.TenantID, c.ID))
	if err != nil {
		return "", fmt.Errorf("open TOTP secret of %s: %w", c.ID, err)
	}
	return string(plain), nil
}

// totpStep returns the time step of t for a period.
func totpStep(t time.Time, period int) int64 {
	return t.Unix() / int64(period)
}

// matchTOTP finds the time step, within window steps of now and after lastStep, whose code
// is token. Every candidate is computed and compared in constant time, so the time taken
// does not tell which step matched.
func matchTOTP(base32Secret string, d totpData, token string, now time.Time, window int) (int64, bool, error) {
	if len(token) != d.Digits {
		return 0, false, nil
	}
	opts := hotp.ValidateOpts{Digits: otp.Digits(d.Digits), Algorithm: totpAlgorithm(d.Algorithm)}
	current := totpStep(now, d.Period)
	var found int64
	ok := false
	for step := current - int64(window); step <= current+int64(window); step++ {
		if step < 0 {
			continue
		}
		code, err := hotp.GenerateCodeCustom(base32Secret, uint64(step), opts)
		if err != nil {
			return 0, false, fmt.Errorf("compute TOTP code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(code), []byte(token)) == 1 && step > d.LastStep && !ok {
			found, ok = step, true
		}
	}
	return found, ok, nil
}

// newTOTPSecret returns a random key of the algorithm's size.
func newTOTPSecret(algorithm string) []byte {
	b := make([]byte, totpSecretSize(algorithm))
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return b
}
