package totp

import "testing"

// TestOCRAResponseMatchesRFC6287 checks the OCRA computation against the time-based test
// vectors of RFC 6287, appendix C.2 (OCRA-1:HOTP-SHA512-8:QN08-T1M, the 64-byte key, time step
// 0x132d0b6).
func TestOCRAResponseMatchesRFC6287(t *testing.T) {
	key := []byte("1234567890123456789012345678901234567890123456789012345678901234")
	const suite = "OCRA-1:HOTP-SHA512-8:QN08-T1M"
	for q, want := range map[string]string{
		"00000000": "95209754", "11111111": "55907591", "22222222": "22048402",
		"33333333": "24218844", "44444444": "36209546",
	} {
		got, err := ocraResponse(suite, key, q, 0x132d0b6)
		if err != nil || got != want {
			t.Errorf("OCRA response to %s: %q (%v), want %s", q, got, err, want)
		}
	}
}

func TestOCRASuiteFollowsTheCredential(t *testing.T) {
	for _, c := range []struct {
		d    totpData
		want string
	}{
		{totpData{Algorithm: "sha1", Digits: 6, Period: 30}, "OCRA-1:HOTP-SHA1-6:QN06-T30S"},
		{totpData{Algorithm: "sha256", Digits: 8, Period: 60}, "OCRA-1:HOTP-SHA256-8:QN06-T1M"},
		{totpData{Algorithm: "sha512", Digits: 6, Period: 120}, "OCRA-1:HOTP-SHA512-6:QN06-T2M"},
	} {
		if got, err := ocraSuite(c.d); err != nil || got != c.want {
			t.Errorf("suite of %+v: %q (%v), want %s", c.d, got, err, c.want)
		}
	}
	if _, err := ocraSuite(totpData{Algorithm: "sha1", Digits: 6, Period: 90}); err == nil {
		t.Error("a period of 90 seconds has no OCRA time step, yet a suite was made")
	}
}
