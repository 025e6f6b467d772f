package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math/big"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
)

// A transaction signing code is an OCRA response (RFC 6287, the OATH challenge-response
// algorithm): the HOTP truncation of an HMAC, under the user's TOTP key, of the OCRA suite, the
// transaction's numeric challenge and the time step. It binds the code to the challenge, which
// binds it to the transaction, where a plain TOTP code would approve whatever is pending. The
// suite follows the credential: its hash, its digits and its period as the time step, for
// example OCRA-1:HOTP-SHA1-6:QN06-T30S.

// challengeDigits is the length of a transaction's numeric challenge.
const challengeDigits = 6

// ocraSuite returns the OCRA suite of a TOTP credential's parameters.
func ocraSuite(d totpData) (string, error) {
	alg := map[string]string{model.TOTPSHA1: "SHA1", model.TOTPSHA256: "SHA256", model.TOTPSHA512: "SHA512"}[d.Algorithm]
	if alg == "" {
		alg = "SHA1"
	}
	var step string
	switch p := d.Period; {
	case p >= 1 && p <= 59:
		step = strconv.Itoa(p) + "S"
	case p >= 60 && p%60 == 0 && p/60 <= 59:
		step = strconv.Itoa(p/60) + "M"
	case p >= 3600 && p%3600 == 0 && p/3600 <= 48:
		step = strconv.Itoa(p/3600) + "H"
	default:
		return "", fmt.Errorf("period %d has no OCRA time step", p)
	}
	return fmt.Sprintf("OCRA-1:HOTP-%s-%d:QN%02d-T%s", alg, d.Digits, challengeDigits, step), nil
}

// ocraResponse computes the OCRA response of suite (of the form built by ocraSuite, or any
// suite with a numeric question and a time step and nothing else) for key, the numeric
// question and the time step.
func ocraResponse(suite string, key []byte, question string, step int64) (string, error) {
	parts := strings.Split(suite, ":")
	if len(parts) != 3 || parts[0] != "OCRA-1" {
		return "", fmt.Errorf("unsupported OCRA suite %q", suite)
	}
	fn := strings.Split(parts[1], "-")
	if len(fn) != 3 || fn[0] != "HOTP" {
		return "", fmt.Errorf("unsupported OCRA function %q", parts[1])
	}
	var h func() hash.Hash
	switch fn[1] {
	case "SHA1":
		h = sha1.New
	case "SHA256":
		h = sha256.New
	case "SHA512":
		h = sha512.New
	default:
		return "", fmt.Errorf("unsupported OCRA hash %q", fn[1])
	}
	digits, err := strconv.Atoi(fn[2])
	if err != nil || digits < 4 || digits > 10 {
		return "", fmt.Errorf("unsupported OCRA digits %q", fn[2])
	}
	q, ok := new(big.Int).SetString(question, 10)
	if !ok || q.Sign() < 0 {
		return "", fmt.Errorf("OCRA question %q is not a decimal number", question)
	}
	// The question is the number in hexadecimal, left-aligned in 128 bytes.
	qhex := fmt.Sprintf("%X", q)
	if len(qhex)%2 == 1 {
		qhex += "0"
	}
	qbytes, err := hex.DecodeString(qhex)
	if err != nil || len(qbytes) > 128 {
		return "", fmt.Errorf("OCRA question %q is too long", question)
	}
	msg := make([]byte, 0, len(suite)+1+128+8)
	msg = append(append(msg, suite...), 0)
	block := make([]byte, 128)
	copy(block, qbytes)
	msg = append(msg, block...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(step))
	mac := hmac.New(h, key)
	mac.Write(msg)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := (uint64(sum[off])&0x7f)<<24 | uint64(sum[off+1])<<16 | uint64(sum[off+2])<<8 | uint64(sum[off+3])
	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod), nil
}
