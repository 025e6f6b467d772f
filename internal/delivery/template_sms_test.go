package delivery

import "testing"

func TestRenderOTPSMS(t *testing.T) {
	cases := []struct {
		in   OTPSMS
		want string
	}{
		{OTPSMS{AppName: "Acme", Code: "482913", ExpiresInMinutes: 5}, "482913 is your Acme code. It expires in 5 minutes."},
		{OTPSMS{AppName: "Acme", Code: "482913", ExpiresInMinutes: 1}, "482913 is your Acme code. It expires in 1 minute."},
		{OTPSMS{AppName: "Acme\nBank", Code: "4829"}, "4829 is your Acme Bank code."},
		{OTPSMS{AppName: "Acme", Code: "482913", Template: "{app}: use {otp} ({otp})"}, "Acme: use 482913 (482913)"},
		// The app name is substituted once and never re-expanded.
		{OTPSMS{AppName: "{otp}", Code: "482913", Template: "{app} {otp}"}, "{otp} 482913"},
	}
	for _, c := range cases {
		got, err := RenderOTPSMS(c.in)
		if err != nil || got != c.want {
			t.Errorf("RenderOTPSMS(%+v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := RenderOTPSMS(OTPSMS{AppName: "Acme"}); err == nil {
		t.Error("rendered an SMS without a code")
	}
}
