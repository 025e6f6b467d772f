package e2e

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"
)

// These tests drive the TOTP registration by a logged-in user and the TOTP transaction
// signing as an integration written for Mosaic does: plain HTTP with Mosaic's documented
// bodies, and an authenticator computing its codes on its own.

// ocraCode is the user's authenticator answering a transaction challenge: RFC 6287's OCRA with
// the suite OCRA-1:HOTP-SHA1-6:QN06-T30S (the default TOTP parameters), written out here apart
// from the server's implementation.
func ocraCode(t *testing.T, secret, challenge string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	const suite = "OCRA-1:HOTP-SHA1-6:QN06-T30S"
	q, _ := new(big.Int).SetString(challenge, 10)
	qhex := fmt.Sprintf("%X", q)
	if len(qhex)%2 == 1 {
		qhex += "0"
	}
	qb, _ := hex.DecodeString(qhex)
	msg := append([]byte(suite), 0)
	msg = append(msg, append(qb, make([]byte, 128-len(qb))...)...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1_000_000)
}

// registeredTOTP reads a registration's answer as the code helpers take it.
func registeredTOTP(t *testing.T, res response) totpEnrolment {
	t.Helper()
	wantStatus(t, res, 201, "")
	en := totpEnrolment(res.JSON(t))
	if s, _ := en["secret"].(string); len(s) < 32 || !strings.HasPrefix(fmt.Sprint(en["uri"]), "otpauth://totp/") {
		t.Fatalf("registration answer lacks a secret or an otpauth URI: %s", res.Body)
	}
	return en
}

func TestMosaicTOTPRegistration(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "john@example.com")
		access := e.directLogin(tok, "john@example.com", nil)["access_token"].(string)

		// Only the user's own access token registers; a backend's client token is no user.
		wantStatus(t, e.raw("POST", "/cis/v1/auth/totp/register", tok, `{"label": "John Doe"}`), 401, "unauthorized")
		wantStatus(t, e.raw("POST", "/cis/v1/auth/totp/register", access, `{"device_id": "`+strings.Repeat("d", 81)+`"}`), 400, "system_invalid_input")

		en := registeredTOTP(t, e.raw("POST", "/cis/v1/auth/totp/register", access, `{"device_id": "iphone-15", "label": "John Doe", "allow_override": false}`))
		if u, err := url.Parse(fmt.Sprint(en["uri"])); err != nil || !strings.HasSuffix(u.Path, ":John Doe") {
			t.Fatalf("the authenticator's label is not the requested one: %v", en["uri"])
		}
		// Registered means usable: no confirmation step.
		res := e.raw("POST", "/cis/v1/auth/totp/authenticate", tok, fmt.Sprintf(
			`{"token": %q, "identifier_type": "email", "identifier": "john@example.com"}`, e.totpCode(en, 0)))
		wantStatus(t, res, 200, "")
		if amr := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)["amr"].([]any); len(amr) != 1 || amr[0] != "otp" {
			t.Fatalf("TOTP login amr: %v", amr)
		}

		// One authenticator per user by default: another is refused unless it overrides.
		wantStatus(t, e.raw("POST", "/cis/v1/auth/totp/register", access, `{}`), 409, "auth_totp_limit_reached")
		next := registeredTOTP(t, e.raw("POST", "/cis/v1/auth/totp/register", access, `{"allow_override": true}`))
		e.clock.Advance(totpPeriod(en))
		login := func(code string) response {
			return e.raw("POST", "/cis/v1/auth/totp/authenticate", tok, fmt.Sprintf(
				`{"token": %q, "identifier_type": "email", "identifier": "john@example.com"}`, code))
		}
		wantStatus(t, login(e.totpCode(en, 0)), 400, "auth_invalid_credentials")
		wantStatus(t, login(e.totpCode(next, 0)), 200, "")
		list := e.do("GET", "/cis/v1/users/"+verifyIDToken(t, e, e.directLogin(tok, "john@example.com", nil)["id_token"].(string), e.boot.ClientID)["sub"].(string)+"/totp", tok, nil)
		wantStatus(t, list, 200, "")
		if items := list.JSON(t)["result"].([]any); len(items) != 1 || items[0].(map[string]any)["totp_id"] != next["totp_id"] {
			t.Fatalf("after an override the user has: %s", list.Body)
		}
	})
}

func TestMosaicTOTPTransaction(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		tok := e.appToken()
		e.createUser(tok, "ada@example.com")
		access := e.directLogin(tok, "ada@example.com", nil)["access_token"].(string)
		en := registeredTOTP(t, e.raw("POST", "/cis/v1/auth/totp/register", access, `{}`))
		secret := en["secret"].(string)
		start := func(identifier string) response {
			return e.raw("POST", "/cis/v1/auth/totp/transaction/start", tok, fmt.Sprintf(
				`{"approval_data": %s, "identifier_type": "email", "identifier": %q}`, mosaicApproval, identifier))
		}
		login := func(code string) response {
			return e.raw("POST", "/cis/v1/auth/totp/authenticate", tok, fmt.Sprintf(
				`{"token": %q, "identifier_type": "email", "identifier": "ada@example.com"}`, code))
		}
		challenge := func(res response) string {
			wantStatus(t, res, 200, "")
			body := res.JSON(t)
			c, _ := body["challenge"].(string)
			a, _ := json.Marshal(body["approval_data"])
			if len(c) != 6 || strings.Trim(c, "0123456789") != "" || string(a) != `{"sum":"200","transaction_id":"eFII2y40uB9hQ98nXt3tc1IHkRt8GrRZiqZuRn_59wT"}` {
				t.Fatalf("transaction start answer: %s", res.Body)
			}
			return c
		}

		// The user approves the transaction: the code their authenticator computes from the
		// challenge signs them in with the transaction in the ID token.
		c := challenge(start("ada@example.com"))
		// The code of another challenge is refused.
		wantStatus(t, login(ocraCode(t, secret, flip(c), e.clock.Now())), 400, "auth_invalid_credentials")
		code := ocraCode(t, secret, c, e.clock.Now())
		res := login(code)
		wantStatus(t, res, 200, "")
		claims := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID)
		if a, _ := json.Marshal(claims["approval_data"]); string(a) != `{"sum":"200","transaction_id":"eFII2y40uB9hQ98nXt3tc1IHkRt8GrRZiqZuRn_59wT"}` {
			t.Fatalf("ID token approval_data: %s (claims %v)", a, claims)
		}
		// The transaction is spent: its code does not work twice.
		wantStatus(t, login(code), 400, "auth_invalid_credentials")

		// A plain TOTP code approves nothing: it signs in, and the ID token carries no
		// transaction, while the transaction stays pending.
		c = challenge(start("ada@example.com"))
		e.clock.Advance(totpPeriod(en))
		res = login(e.totpCode(en, 0))
		wantStatus(t, res, 200, "")
		if claims := verifyIDToken(t, e, res.JSON(t)["id_token"].(string), e.boot.ClientID); claims["approval_data"] != nil {
			t.Fatalf("a plain TOTP code approved a transaction: %v", claims)
		}
		// A newer start replaces the pending transaction: the older challenge's code is refused.
		older := c
		c = challenge(start("ada@example.com"))
		if c != older {
			wantStatus(t, login(ocraCode(t, secret, older, e.clock.Now())), 400, "auth_invalid_credentials")
		}
		wantStatus(t, login(ocraCode(t, secret, c, e.clock.Now())), 200, "")

		// A transaction waits five minutes.
		c = challenge(start("ada@example.com"))
		e.clock.Advance(5*time.Minute + time.Second)
		wantStatus(t, login(ocraCode(t, secret, c, e.clock.Now())), 400, "auth_invalid_credentials")

		// Without enumeration protection a name that is nobody's is refused; with it, it gets a
		// challenge like anyone's.
		wantStatus(t, start("nobody@example.com"), 400, "user_not_found")
		wantStatus(t, e.raw("POST", "/cis/v1/auth/totp/transaction/start", tok, `{"identifier_type": "email", "identifier": "ada@example.com"}`), 400, "system_invalid_input")
		wantStatus(t, e.do("PUT", "/cis/v1/applications/"+e.boot.AppID, e.adminToken(), map[string]any{"enumeration_protection": true}), 200, "")
		challenge(start("nobody@example.com"))
	})
}

// flip returns a challenge that differs from c in its last digit.
func flip(c string) string {
	last := (c[len(c)-1]-'0'+1)%10 + '0'
	return c[:len(c)-1] + string(last)
}
