package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
)

// Header names of the Standard Webhooks scheme.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every serialised signing secret.
const SecretPrefix = "whsec_"

// Secret length bounds, in bytes, from the specification.
const (
	minSecretLen = 24
	maxSecretLen = 64
)

// DefaultTolerance is how far a webhook's timestamp may be from the receiver's clock: enough
// for clock drift and slow networks, short enough to make replays of captured requests useless.
const DefaultTolerance = 5 * time.Minute

// Verification errors.
var (
	ErrNoSignature  = errors.New("webhook: no valid signature")
	ErrBadTimestamp = errors.New("webhook: timestamp missing or outside the tolerance")
	ErrMissingID    = errors.New("webhook: webhook-id header missing")
)

// NewSecret returns a fresh random signing secret in its serialised form.
func NewSecret() string { return secret.NewWebhookSecret() }

// ParseSecret decodes a serialised secret ("whsec_" and base64) into its key bytes.
func ParseSecret(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook secret must start with %q", SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		// Some tools drop the padding; accept that too.
		if key, err = base64.RawStdEncoding.DecodeString(rest); err != nil {
			return nil, errors.New("webhook secret is not valid base64 after " + SecretPrefix)
		}
	}
	if len(key) < minSecretLen || len(key) > maxSecretLen {
		return nil, fmt.Errorf("webhook secret must hold %d to %d bytes, not %d", minSecretLen, maxSecretLen, len(key))
	}
	return key, nil
}

// Sign returns the webhook-signature value ("v1," and the base64 HMAC-SHA256 of
// "id.timestamp.body") of one attempt. id and the timestamp are signed with the body so that
// neither can be swapped onto another request.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(key []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// SetHeaders adds the three Standard Webhooks headers of one attempt to h.
func SetHeaders(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(key, id, ts, body))
}

// Verify checks a received webhook: its timestamp must be within tolerance of now, and one of
// the space-separated signatures of its webhook-signature header must be a valid v1 signature
// of the id, the timestamp and body under key. Signatures are compared in constant time.
func Verify(key []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id := h.Get(HeaderID)
	if id == "" {
		return ErrMissingID
	}
	tsText := h.Get(HeaderTimestamp)
	secs, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(secs, 0)); d > tolerance || d < -tolerance {
		return ErrBadTimestamp
	}
	want := mac(key, id, tsText, body)
	for _, sig := range strings.Fields(h.Get(HeaderSignature)) {
		version, encoded, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(encoded)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoSignature
}
