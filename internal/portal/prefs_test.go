package portal_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

var (
	inputTag  = regexp.MustCompile(`<input [^>]*>`)
	attrValue = func(tag, attr string) (string, bool) {
		m := regexp.MustCompile(` ` + attr + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
)

// prefsFormOfPage reads the login preferences page's form as a browser would submit it, and
// the min and max of each numeric field.
func prefsFormOfPage(t *testing.T, body string) (url.Values, map[string]model.Range) {
	t.Helper()
	form, ranges := url.Values{}, map[string]model.Range{}
	for _, tag := range inputTag.FindAllString(body, -1) {
		name, ok := attrValue(tag, "name")
		if !ok {
			continue
		}
		if strings.Contains(tag, `type="checkbox"`) {
			if strings.Contains(tag, " checked") {
				form.Set(name, "on")
			}
			continue
		}
		v, _ := attrValue(tag, "value")
		form.Set(name, strings.ReplaceAll(v, "&lt;", "<"))
		lo, okLo := attrValue(tag, "min")
		hi, okHi := attrValue(tag, "max")
		if okLo && okHi {
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			ranges[name] = model.Range{Min: a, Max: b}
		}
	}
	return form, ranges
}

func TestPrefsPageSavesSMSAndPasswordSections(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	page := "/admin/apps/" + s.f.Boot.AppID + "/login"
	res, body := s.send("GET", page, nil, c, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", res.StatusCode)
	}
	form, ranges := prefsFormOfPage(t, body)
	pb, ob := model.PasswordBounds, model.OTPBounds
	for name, want := range map[string]model.Range{
		"pw_complexity": pb.PasswordComplexity, "pw_min_length": pb.PasswordMinLength, "pw_expires_in": pb.PasswordExpiresIn,
		"pw_block_previous": pb.BlockPreviousPasswords, "pw_max_failures": pb.MaxPasswordFailures,
		"pw_suspension": pb.PasswordSuspensionDuration, "pw_failures_expire": pb.FailuresExpireIn,
		"pw_reset_validity": pb.ResetValidityMinutes, "pw_temp_validity": pb.TempPasswordValidityHours, "pw_code_length": pb.CodeLength,
		"sms_expires_in": ob.ExpiresIn, "sms_max_failures": ob.MaxFailures, "sms_lockout": ob.LockoutDuration, "sms_code_length": ob.CodeLength,
	} {
		if got, ok := ranges[name]; !ok || got != want {
			t.Errorf("%s: range %v, want the validation's %v", name, got, want)
		}
	}
	if form.Get("pw_complexity") != strconv.Itoa(model.DefaultPasswordComplexity) {
		t.Errorf("pw_complexity shows %q, want the default", form.Get("pw_complexity"))
	}

	// One past the validation's maximum is refused beside the field, and nothing is saved.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("csrf", csrfOf(t, body))
	bad.Set("pw_min_length", strconv.Itoa(pb.PasswordMinLength.Max+1))
	res, out := s.send("POST", page, bad, c, nil)
	want := `<p class="field-problem" role="alert">password.passwordMinLength must be between ` +
		strconv.Itoa(pb.PasswordMinLength.Min) + ` and ` + strconv.Itoa(pb.PasswordMinLength.Max)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(out, want) {
		t.Errorf("out of range: %d, and the page does not show %q beside its field", res.StatusCode, want)
	}
	bad.Set("pw_min_length", form.Get("pw_min_length"))
	bad.Set("sms_code_length", "six")
	res, out = s.send("POST", page, bad, c, nil)
	want = `<p class="field-problem" role="alert">sms.codeLength must be a whole number`
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(out, want) {
		t.Errorf("not a number: %d, and the page does not show %q beside its field", res.StatusCode, want)
	}
	a, err := s.f.Tenancy.Application(s.f.Ctx, s.f.Admin, s.f.Boot.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Preferences.Normalized().Password.PasswordMinLength != model.DefaultPasswordMinLength {
		t.Fatalf("a refused form changed the password settings: %+v", a.Preferences.Password)
	}

	// In range, every field of both sections is saved.
	good := url.Values{}
	for k, v := range form {
		good[k] = v
	}
	good.Set("csrf", csrfOf(t, body))
	good.Set("pw_complexity", "3")
	good.Set("pw_min_length", strconv.Itoa(pb.PasswordMinLength.Min))
	good.Set("pw_block_previous", "0")
	good.Set("pw_ignore_expiration", "on")
	good.Set("pw_temp_validity", "24")
	good.Set("sms_code_length", strconv.Itoa(ob.CodeLength.Max))
	good.Set("sms_lockout", "30")
	good.Set("sms_cross_clients", "on")
	if res, out := s.send("POST", page, good, c, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, out)
	}
	a, err = s.f.Tenancy.Application(s.f.Ctx, s.f.Admin, s.f.Boot.AppID)
	if err != nil {
		t.Fatal(err)
	}
	pw, sms := a.Preferences.Password, a.Preferences.SMS
	if pw.PasswordComplexity != 3 || pw.PasswordMinLength != pb.PasswordMinLength.Min || !pw.IgnoreExpiration || pw.TempPasswordValidityHours != 24 {
		t.Errorf("password saved as %+v", pw)
	}
	if sms.CodeLength != ob.CodeLength.Max || sms.LockoutDuration != 30 || !sms.CrossClientsAllowed {
		t.Errorf("sms saved as %+v", sms)
	}
}

// The preview shows the passcode SMS the SMS section's settings would send.
func TestPrefsPreviewShowsTheSMS(t *testing.T) {
	s := newSite(t)
	c := s.signIn()
	res, body := s.send("GET", "/admin/apps/"+s.f.Boot.AppID+"/login/preview?format=json&kind=otp&sms_code_length=8&sms_expires_in=7", nil, c, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %s", res.StatusCode, body)
	}
	var pv struct{ SMS string }
	if err := json.Unmarshal([]byte(body), &pv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pv.SMS, "12345678") || !strings.Contains(pv.SMS, " 7 minutes") {
		t.Errorf("SMS preview %q, want an 8-digit code and a 7-minute expiry", pv.SMS)
	}
}
