package config

import (
	"strings"
	"testing"
)

const (
	testSID    = "AC0123456789abcdef0123456789abcdef"
	testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

func TestProviderDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.EmailProviderName() != ProviderConsole || c.SMSProviderName() != ProviderConsole {
		t.Fatalf("development defaults: email %s, SMS %s; want console for both", c.EmailProviderName(), c.SMSProviderName())
	}
	c, err = load(t, map[string]string{"LATCHKEY_SMTP_URL": "smtp://mail.example.com?from=a@example.com"})
	if err != nil || c.EmailProviderName() != ProviderSMTP {
		t.Fatalf("with an SMTP URL: provider %s, error %v; want smtp", c.EmailProviderName(), err)
	}
	prod := map[string]string{
		"LATCHKEY_MODE": "production", "LATCHKEY_PUBLIC_URL": "https://auth.example.com",
		"LATCHKEY_MASTER_KEY": "x", "LATCHKEY_SMTP_URL": "smtp://mail.example.com?from=a@example.com",
	}
	c, err = load(t, prod)
	if err != nil || c.SMSProviderName() != ProviderNone {
		t.Fatalf("production: SMS provider %s, error %v; want none", c.SMSProviderName(), err)
	}
}

func TestProvidersFromEnvironmentAndFlags(t *testing.T) {
	c, err := load(t, map[string]string{
		"LATCHKEY_SMS_PROVIDER": "twilio", "LATCHKEY_TWILIO_ACCOUNT_SID": testSID,
		"LATCHKEY_TWILIO_AUTH_TOKEN": "tok", "LATCHKEY_TWILIO_FROM": "+15005550006",
		"LATCHKEY_EMAIL_PROVIDER": "webhook", "LATCHKEY_EMAIL_WEBHOOK_URL": "https://hooks.example.com/email",
		"LATCHKEY_EMAIL_WEBHOOK_SECRET": testSecret,
	}, "-twilio-base-url", "http://127.0.0.1:9999")
	if err != nil {
		t.Fatal(err)
	}
	tw := c.TwilioConfig()
	if tw.AccountSID != testSID || tw.AuthToken != "tok" || tw.From != "+15005550006" || tw.BaseURL != "http://127.0.0.1:9999" {
		t.Fatalf("Twilio settings %+v", tw)
	}
	c, err = load(t, nil, "-sms-provider", "webhook", "-sms-webhook-url", "https://hooks.example.com/sms", "-sms-webhook-secret", testSecret)
	if err != nil || c.SMSProviderName() != ProviderWebhook || c.SMSWebhookURL != "https://hooks.example.com/sms" {
		t.Fatalf("SMS webhook by flags: %+v, %v", c, err)
	}
}

func TestProviderProblems(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"unknown providers", map[string]string{"LATCHKEY_SMS_PROVIDER": "pigeon", "LATCHKEY_EMAIL_PROVIDER": "fax"},
			[]string{`SMS provider must be console, twilio, webhook or none, not "pigeon"`, `email provider must be smtp, webhook or console, not "fax"`}},
		{"twilio without settings", map[string]string{"LATCHKEY_SMS_PROVIDER": "twilio", "LATCHKEY_TWILIO_ACCOUNT_SID": "AC1"},
			[]string{"Twilio account SID", "Twilio auth token", "Twilio a From number"}},
		{"twilio over plain http", map[string]string{"LATCHKEY_SMS_PROVIDER": "twilio", "LATCHKEY_TWILIO_ACCOUNT_SID": testSID,
			"LATCHKEY_TWILIO_AUTH_TOKEN": "t", "LATCHKEY_TWILIO_MESSAGING_SERVICE_SID": "MG1", "LATCHKEY_TWILIO_BASE_URL": "http://twilio.example.com"},
			[]string{"Messaging Service SID", "https"}},
		{"webhooks without settings", map[string]string{"LATCHKEY_SMS_PROVIDER": "webhook", "LATCHKEY_EMAIL_PROVIDER": "webhook"},
			[]string{"LATCHKEY_SMS_WEBHOOK_URL", "LATCHKEY_SMS_WEBHOOK_SECRET", "LATCHKEY_EMAIL_WEBHOOK_URL", "LATCHKEY_EMAIL_WEBHOOK_SECRET"}},
		{"bad webhook settings", map[string]string{"LATCHKEY_SMS_PROVIDER": "webhook", "LATCHKEY_SMS_WEBHOOK_URL": "ftp://x", "LATCHKEY_SMS_WEBHOOK_SECRET": "hunter2"},
			[]string{"LATCHKEY_SMS_WEBHOOK_URL: webhook URL must be", "LATCHKEY_SMS_WEBHOOK_SECRET: webhook secret must start"}},
		{"smtp without URL", map[string]string{"LATCHKEY_EMAIL_PROVIDER": "smtp"}, []string{"LATCHKEY_SMTP_URL"}},
		{"forgotten provider", map[string]string{"LATCHKEY_TWILIO_ACCOUNT_SID": testSID, "LATCHKEY_SMS_WEBHOOK_URL": "https://x.example.com", "LATCHKEY_EMAIL_WEBHOOK_SECRET": testSecret},
			[]string{"LATCHKEY_SMS_PROVIDER=twilio", "LATCHKEY_SMS_PROVIDER=webhook", "LATCHKEY_EMAIL_PROVIDER=webhook"}},
		{"production refuses console", map[string]string{"LATCHKEY_MODE": "production", "LATCHKEY_SMS_PROVIDER": "console", "LATCHKEY_EMAIL_PROVIDER": "console"},
			[]string{"console SMS provider is for development", "email provider is required in production"}},
		{"production needs https webhooks", map[string]string{"LATCHKEY_MODE": "production", "LATCHKEY_SMS_PROVIDER": "webhook",
			"LATCHKEY_SMS_WEBHOOK_URL": "http://hooks.example.com", "LATCHKEY_SMS_WEBHOOK_SECRET": testSecret},
			[]string{"LATCHKEY_SMS_WEBHOOK_URL must use https in production"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.env)
			if err == nil {
				t.Fatal("configuration accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}
