package portal

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
)

// smsForm is the SMS passcode section of an application's login preferences, as typed.
type smsForm struct {
	SMSExpiresIn, SMSMaxFailures, SMSLockout, SMSCodeLength string
	SMSCrossClients                                         bool
}

// passwordForm is the password section, as typed. The lockout tiers, the reset emails'
// branding and requireMFA have no fields here; saving keeps what the application has.
type passwordForm struct {
	PwComplexity, PwMinLength, PwExpiresIn, PwBlockPrevious string
	PwIgnoreExpiration                                      bool
	PwMaxFailures, PwSuspension, PwFailuresExpire           string
	PwResetValidity, PwTempValidity, PwCodeLength           string
}

func methodFormsOf(p model.LoginPreferences) (smsForm, passwordForm) {
	s, w, it := p.SMS, p.Password, strconv.Itoa
	return smsForm{SMSExpiresIn: it(s.ExpiresIn), SMSMaxFailures: it(s.MaxFailures), SMSLockout: it(s.LockoutDuration),
			SMSCodeLength: it(s.CodeLength), SMSCrossClients: s.CrossClientsAllowed},
		passwordForm{PwComplexity: it(w.PasswordComplexity), PwMinLength: it(w.PasswordMinLength), PwExpiresIn: it(w.PasswordExpiresIn),
			PwBlockPrevious: it(w.BlockPreviousPasswords), PwIgnoreExpiration: w.IgnoreExpiration,
			PwMaxFailures: it(w.MaxPasswordFailures), PwSuspension: it(w.PasswordSuspensionDuration), PwFailuresExpire: it(w.FailuresExpireIn),
			PwResetValidity: it(w.ResetValidityMinutes), PwTempValidity: it(w.TempPasswordValidityHours), PwCodeLength: it(w.CodeLength)}
}

func readMethodForms(v url.Values) (smsForm, passwordForm) {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return smsForm{SMSExpiresIn: g("sms_expires_in"), SMSMaxFailures: g("sms_max_failures"), SMSLockout: g("sms_lockout"),
			SMSCodeLength: g("sms_code_length"), SMSCrossClients: v.Get("sms_cross_clients") == "on"},
		passwordForm{PwComplexity: g("pw_complexity"), PwMinLength: g("pw_min_length"), PwExpiresIn: g("pw_expires_in"),
			PwBlockPrevious: g("pw_block_previous"), PwIgnoreExpiration: v.Get("pw_ignore_expiration") == "on",
			PwMaxFailures: g("pw_max_failures"), PwSuspension: g("pw_suspension"), PwFailuresExpire: g("pw_failures_expire"),
			PwResetValidity: g("pw_reset_validity"), PwTempValidity: g("pw_temp_validity"), PwCodeLength: g("pw_code_length")}
}

// methodSections turns the SMS and password forms into their sections of the API's
// auth_methods object, on top of the application's current ones so that settings the page
// has no field for (the SMS message branding, the password's lockout tiers, reset-email
// branding and requireMFA) are kept. num reports a field that is not a whole number.
func methodSections(cur model.LoginPreferences, s smsForm, w passwordForm, num func(field, v string) int) (model.OTPPreferences, model.PasswordPreferences) {
	o := cur.SMS
	o.ExpiresIn, o.MaxFailures = num("sms.expiresIn", s.SMSExpiresIn), num("sms.maxFailures", s.SMSMaxFailures)
	o.LockoutDuration, o.CodeLength = num("sms.lockoutDuration", s.SMSLockout), num("sms.codeLength", s.SMSCodeLength)
	o.CrossClientsAllowed = s.SMSCrossClients
	p := cur.Password
	p.PasswordComplexity = num("password.passwordComplexity", w.PwComplexity)
	p.PasswordMinLength = num("password.passwordMinLength", w.PwMinLength)
	p.PasswordExpiresIn = num("password.passwordExpiresIn", w.PwExpiresIn)
	p.BlockPreviousPasswords = num("password.blockPreviousPasswords", w.PwBlockPrevious)
	p.IgnoreExpiration = w.PwIgnoreExpiration
	p.MaxPasswordFailures = num("password.maxPasswordFailures", w.PwMaxFailures)
	p.PasswordSuspensionDuration = num("password.passwordSuspensionDuration", w.PwSuspension)
	p.FailuresExpireIn = num("password.failuresExpireIn", w.PwFailuresExpire)
	p.ResetValidityMinutes = num("password.resetValidityMinutes", w.PwResetValidity)
	p.TempPasswordValidityHours = num("password.tempPasswordValidityHours", w.PwTempValidity)
	p.CodeLength = num("password.codeLength", w.PwCodeLength)
	return o, p
}

// fieldProblems files each problem under the API field it names (its first word, such as
// "password.passwordMinLength"), so the page can show it beside that field.
func fieldProblems(probs []string) map[string]string {
	out := map[string]string{}
	for _, p := range probs {
		field, _, _ := strings.Cut(p, " ")
		if _, dup := out[field]; !dup {
			out[field] = p
		}
	}
	return out
}

// smsPreview renders the passcode SMS that the SMS settings as typed would send (the default
// text; a send request may bring its own), with the function the login flow sends with. A
// field that is not a number, or out of range, is previewed as its default.
func (p *Portal) smsPreview(appName, lang string, f smsForm) string {
	n := func(v string, r model.Range, def int) int {
		x, err := strconv.Atoi(v)
		if err != nil || x < r.Min || x > r.Max {
			return def
		}
		return x
	}
	b := model.OTPBounds
	text, err := delivery.RenderOTPSMS(delivery.OTPSMS{Texts: p.texts(), Language: lang, AppName: appName,
		Code:             "12345678"[:n(f.SMSCodeLength, b.CodeLength, model.DefaultOTPCodeLength)],
		ExpiresInMinutes: n(f.SMSExpiresIn, b.ExpiresIn, model.DefaultOTPExpiresIn)})
	if err != nil {
		return ""
	}
	return text
}
