package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"golang.org/x/crypto/argon2"

	"github.com/latchkey/latchkey/internal/password"
)

// floorPayload stands for a JWT's signing input: about the size of Latchkey's ID tokens.
var floorPayload = []byte(`eyJhbGciOiJSUzI1NiIsImtpZCI6ImZsb29yIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjgwODAiLCJzdWIiOiIwMUhaWFhYWFhYWFhYWFhYWFhYWFhYWFhYIiwiYXVkIjoiY2xpZW50IiwiZXhwIjoxNzAwMDAzNjAwLCJpYXQiOjE3MDAwMDAwMDAsImFtciI6WyJvdHAiXSwic2lkIjoiMDFIWlhYWFhYWFhYWFhYWFhYWFhYWFhYWCJ9`)

// signer signs and verifies floorPayload with one algorithm.
type signer struct {
	sign   func() ([]byte, error)
	verify func(sig []byte) bool
}

func newSigner(alg string) (signer, error) {
	digest := func() []byte { d := sha256.Sum256(floorPayload); return d[:] }
	switch alg {
	case "RS256":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return signer{}, err
		}
		return signer{
			sign: func() ([]byte, error) { return rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest()) },
			verify: func(sig []byte) bool {
				return rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest(), sig) == nil
			},
		}, nil
	case "ES256":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return signer{}, err
		}
		return signer{
			sign:   func() ([]byte, error) { return ecdsa.SignASN1(rand.Reader, k, digest()) },
			verify: func(sig []byte) bool { return ecdsa.VerifyASN1(&k.PublicKey, digest(), sig) },
		}, nil
	}
	return signer{}, fmt.Errorf("floor algorithm must be RS256 or ES256, not %q", alg)
}

// FloorHandler is the floor server: a minimal JSON handler that, per request, makes the
// signatures, verifications, argon2id hashes and commits its query asks for (sign, verify,
// argon2, commit). commit writes one durable transaction; nil refuses requests that ask for one.
func FloorHandler(alg string, params password.Params, commit func(context.Context) error) (http.Handler, error) {
	s, err := newSigner(alg)
	if err != nil {
		return nil, err
	}
	ref, err := s.sign()
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /floor", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		q := r.URL.Query()
		n := func(k string) int { v, _ := strconv.Atoi(q.Get(k)); return v }
		out := map[string]any{}
		for range n("verify") {
			if !s.verify(ref) {
				http.Error(w, "verify failed", http.StatusInternalServerError)
				return
			}
		}
		for range n("argon2") {
			out["hash"] = base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(benchPassword), salt, params.Time, params.Memory, params.Threads, 32))
		}
		var sigs []string
		for range n("sign") {
			sig, err := s.sign()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			sigs = append(sigs, base64.RawURLEncoding.EncodeToString(sig))
		}
		out["tokens"] = sigs
		for range n("commit") {
			if commit == nil {
				http.Error(w, "no floor database", http.StatusInternalServerError)
				return
			}
			if err := commit(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux, nil
}

// floorWorker requests the floor server once per cost of the scenario's iteration.
func floorWorker(c *Client, costs []Cost) NewWorker {
	return func(context.Context, int) ([]Step, error) {
		var steps []Step
		for _, cost := range costs {
			path := fmt.Sprintf("/floor?sign=%d&verify=%d&argon2=%d&commit=%d", cost.Sign, cost.Verify, cost.Argon2, cost.Commit)
			body := map[string]any{"identifier_type": "email", "identifier": "floor@example.com", "passcode": "123456"}
			steps = append(steps, Step{Name: cost.String(), Do: func(ctx context.Context) error {
				return c.JSON(ctx, "POST", path, "", body, nil)
			}})
		}
		return steps, nil
	}
}

func floorKey(costs []Cost) string {
	b, _ := json.Marshal(costs)
	return string(b)
}
