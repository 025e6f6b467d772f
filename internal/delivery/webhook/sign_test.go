package webhook_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/delivery/webhook"
)

// The Standard Webhooks reference vector: a 24-byte secret, an id, a timestamp and a body whose
// signature the specification's libraries agree on.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var vectorTime = time.Unix(1614265330, 0)

func TestSignMatchesReferenceVector(t *testing.T) {
	key, err := webhook.ParseSecret(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := webhook.Sign(key, vectorID, vectorTime, []byte(vectorBody)); got != vectorSig {
		t.Fatalf("Sign = %s, want %s", got, vectorSig)
	}
}

func vectorHeader(sig string) http.Header {
	h := http.Header{}
	h.Set(webhook.HeaderID, vectorID)
	h.Set(webhook.HeaderTimestamp, "1614265330")
	h.Set(webhook.HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	key, _ := webhook.ParseSecret(vectorSecret)
	other, _ := webhook.ParseSecret(webhook.NewSecret())
	body := []byte(vectorBody)
	now := vectorTime.Add(time.Minute)
	cases := []struct {
		name string
		key  []byte
		h    http.Header
		body []byte
		now  time.Time
		want error
	}{
		{"valid", key, vectorHeader(vectorSig), body, now, nil},
		{"valid among several", key, vectorHeader("v1a,xyz= v1,bm90IGl0 " + vectorSig), body, now, nil},
		{"other secret", other, vectorHeader(vectorSig), body, now, webhook.ErrNoSignature},
		{"body changed", key, vectorHeader(vectorSig), []byte(`{"test": 2432232315}`), now, webhook.ErrNoSignature},
		{"wrong version", key, vectorHeader(strings.Replace(vectorSig, "v1,", "v2,", 1)), body, now, webhook.ErrNoSignature},
		{"too old", key, vectorHeader(vectorSig), body, vectorTime.Add(6 * time.Minute), webhook.ErrBadTimestamp},
		{"from the future", key, vectorHeader(vectorSig), body, vectorTime.Add(-6 * time.Minute), webhook.ErrBadTimestamp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := webhook.Verify(c.key, c.h, c.body, c.now, webhook.DefaultTolerance)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}

	// The id is signed: moving a signature to another id fails.
	h := vectorHeader(vectorSig)
	h.Set(webhook.HeaderID, "msg_other")
	if err := webhook.Verify(key, h, body, now, webhook.DefaultTolerance); !errors.Is(err, webhook.ErrNoSignature) {
		t.Fatalf("signature verified under another id: %v", err)
	}
	h = vectorHeader(vectorSig)
	h.Del(webhook.HeaderID)
	if err := webhook.Verify(key, h, body, now, webhook.DefaultTolerance); !errors.Is(err, webhook.ErrMissingID) {
		t.Fatalf("Verify without an id = %v", err)
	}
}

func TestParseSecret(t *testing.T) {
	fresh := webhook.NewSecret()
	if key, err := webhook.ParseSecret(fresh); err != nil || len(key) != 32 {
		t.Fatalf("NewSecret %q does not parse to 32 bytes: %v", fresh, err)
	}
	for _, bad := range []string{
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // no prefix
		"whsec_not base64!",                 // not base64
		"whsec_c2hvcnQ=",                    // 5 bytes
		"whsec_" + strings.Repeat("A", 100), // 75 bytes
	} {
		if _, err := webhook.ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) succeeded", bad)
		}
	}
}
