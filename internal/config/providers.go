package config

import (
	"fmt"
	"net/url"

	"github.com/latchkey/latchkey/internal/delivery/twilio"
	"github.com/latchkey/latchkey/internal/delivery/webhook"
)

// Message providers.
const (
	ProviderSMTP    = "smtp"
	ProviderWebhook = "webhook"
	ProviderConsole = "console" // prints messages to the log; development only
	ProviderTwilio  = "twilio"
	ProviderNone    = "none" // no SMS: the sms channel answers external_provider_configuration_error
)

// EmailProviderName is the email provider in effect: the configured one, else smtp when an
// SMTP URL is set, else console.
func (c *Config) EmailProviderName() string {
	switch {
	case c.EmailProvider != "":
		return c.EmailProvider
	case c.SMTPURL != "":
		return ProviderSMTP
	}
	return ProviderConsole
}

// SMSProviderName is the SMS provider in effect: the configured one, else console in
// development and none in production, so that a deployment without SMS needs no SMS settings.
func (c *Config) SMSProviderName() string {
	switch {
	case c.SMSProvider != "":
		return c.SMSProvider
	case c.Mode == ModeProduction:
		return ProviderNone
	}
	return ProviderConsole
}

// TwilioConfig returns the Twilio settings as the sender takes them.
func (c *Config) TwilioConfig() twilio.Config {
	return twilio.Config{
		AccountSID: c.TwilioAccountSID, AuthToken: c.TwilioAuthToken, From: c.TwilioFrom,
		MessagingServiceSID: c.TwilioMessagingSID, BaseURL: c.TwilioBaseURL,
	}
}

// providerProblems checks the email and SMS providers and the settings of the chosen ones.
// Settings of a provider that is not chosen are refused too: they are most likely a forgotten
// LATCHKEY_*_PROVIDER, which would otherwise go unnoticed until a message fails to arrive.
func (c *Config) providerProblems() []string {
	var p []string
	email := c.EmailProviderName()
	switch email {
	case ProviderSMTP:
		if c.SMTPURL == "" {
			p = append(p, "email provider smtp needs an SMTP URL: set LATCHKEY_SMTP_URL")
		}
	case ProviderWebhook:
		p = append(p, c.webhookProblems("email", "LATCHKEY_EMAIL_WEBHOOK", c.EmailWebhookURL, c.EmailWebhookSecret)...)
	case ProviderConsole:
		if c.Mode == ModeProduction {
			p = append(p, "an email provider is required in production: set LATCHKEY_SMTP_URL (an SMTP URL), or LATCHKEY_EMAIL_PROVIDER=webhook with its URL and secret")
		}
	default:
		p = append(p, fmt.Sprintf("email provider must be smtp, webhook or console, not %q", email))
	}
	if email != ProviderWebhook && (c.EmailWebhookURL != "" || c.EmailWebhookSecret != "") {
		p = append(p, "LATCHKEY_EMAIL_WEBHOOK_* is set but the email provider is "+email+": set LATCHKEY_EMAIL_PROVIDER=webhook or remove it")
	}

	sms := c.SMSProviderName()
	switch sms {
	case ProviderTwilio:
		cfg := c.TwilioConfig()
		for _, problem := range cfg.Problems() {
			p = append(p, "Twilio "+problem+" (LATCHKEY_TWILIO_*)")
		}
	case ProviderWebhook:
		p = append(p, c.webhookProblems("SMS", "LATCHKEY_SMS_WEBHOOK", c.SMSWebhookURL, c.SMSWebhookSecret)...)
	case ProviderConsole:
		if c.Mode == ModeProduction {
			p = append(p, "the console SMS provider is for development: set LATCHKEY_SMS_PROVIDER to twilio, webhook or none in production")
		}
	case ProviderNone:
	default:
		p = append(p, fmt.Sprintf("SMS provider must be console, twilio, webhook or none, not %q", sms))
	}
	if sms != ProviderTwilio && (c.TwilioAccountSID != "" || c.TwilioAuthToken != "" || c.TwilioFrom != "" || c.TwilioMessagingSID != "") {
		p = append(p, "LATCHKEY_TWILIO_* is set but the SMS provider is "+sms+": set LATCHKEY_SMS_PROVIDER=twilio or remove it")
	}
	if sms != ProviderWebhook && (c.SMSWebhookURL != "" || c.SMSWebhookSecret != "") {
		p = append(p, "LATCHKEY_SMS_WEBHOOK_* is set but the SMS provider is "+sms+": set LATCHKEY_SMS_PROVIDER=webhook or remove it")
	}
	return p
}

// webhookProblems checks one delivery webhook's URL and secret. Production requires https: the
// messages carry one-time codes.
func (c *Config) webhookProblems(what, env, rawURL, secret string) []string {
	var p []string
	if rawURL == "" {
		p = append(p, fmt.Sprintf("the %s webhook needs a URL: set %s_URL", what, env))
	} else if err := webhook.CheckURL(rawURL); err != nil {
		p = append(p, fmt.Sprintf("%s_URL: %v", env, err))
	} else if u, _ := url.Parse(rawURL); c.Mode == ModeProduction && u.Scheme != "https" {
		p = append(p, fmt.Sprintf("%s_URL must use https in production", env))
	}
	if secret == "" {
		p = append(p, fmt.Sprintf("the %s webhook needs a signing secret: set %s_SECRET (whsec_ and base64 of 24 to 64 random bytes)", what, env))
	} else if _, err := webhook.ParseSecret(secret); err != nil {
		p = append(p, fmt.Sprintf("%s_SECRET: %v", env, err))
	}
	return p
}
