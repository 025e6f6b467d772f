package e2e

import (
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpEnrolment is the result of an enrolment, as the API returned it.
type totpEnrolment map[string]any

// enrolTOTP enrols a TOTP credential for a user and returns the result object.
func (e *env) enrolTOTP(token, userID string) totpEnrolment {
	e.t.Helper()
	res := e.do("POST", "/cis/v1/users/"+userID+"/totp", token, map[string]any{"name": "phone"})
	wantStatus(e.t, res, 201, "")
	return totpEnrolment(result(e.t, res))
}

// totpCode computes, with the reference library, the code of an enrolment at the server's
// clock time moved by offset.
func (e *env) totpCode(en totpEnrolment, offset time.Duration) string {
	e.t.Helper()
	algs := map[string]otp.Algorithm{"sha1": otp.AlgorithmSHA1, "sha256": otp.AlgorithmSHA256, "sha512": otp.AlgorithmSHA512}
	alg, ok := algs[en["algorithm"].(string)]
	if !ok {
		e.t.Fatalf("unknown algorithm in %v", en)
	}
	code, err := totp.GenerateCodeCustom(en["secret"].(string), e.clock.Now().Add(offset), totp.ValidateOpts{
		Period: uint(en["period"].(float64)), Digits: otp.Digits(int(en["digits"].(float64))), Algorithm: alg,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

func totpPeriod(en totpEnrolment) time.Duration {
	return time.Duration(en["period"].(float64)) * time.Second
}

func (e *env) confirmTOTP(token, userID string, en totpEnrolment, code string) response {
	e.t.Helper()
	return e.do("POST", "/cis/v1/users/"+userID+"/totp/"+en["totp_id"].(string)+"/confirm", token, map[string]any{"code": code})
}

// enrolConfirmedTOTP enrols and confirms a credential, then moves the clock one step on so
// that the next login has a fresh code.
func (e *env) enrolConfirmedTOTP(token, userID string) totpEnrolment {
	e.t.Helper()
	en := e.enrolTOTP(token, userID)
	wantStatus(e.t, e.confirmTOTP(token, userID, en, e.totpCode(en, 0)), 200, "")
	e.clock.Advance(totpPeriod(en))
	return en
}

func (e *env) totpLogin(token, email, code string, extra map[string]any) response {
	e.t.Helper()
	body := map[string]any{"token": code, "identifier": email}
	for k, v := range extra {
		body[k] = v
	}
	return e.do("POST", "/cis/v1/auth/totp/authenticate", token, body)
}

func (e *env) recoveryLogin(token, email, code string) response {
	e.t.Helper()
	return e.do("POST", "/cis/v1/auth/recovery-code/authenticate", token,
		map[string]any{"code": code, "identifier": email, "identifier_type": "email"})
}
