package bench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// enumerationRoutes are the routes whose answers enumeration protection makes alike for known
// and unknown users. The direct OTP send renders no message and is the control.
func (e *Env) enumerationRoutes() []enumerationRoute {
	post := func(ctx context.Context, path string, body map[string]any) (int, error) {
		err := e.Client.JSON(ctx, "POST", path, e.Token, body, nil)
		var se *StatusError
		switch {
		case err == nil:
			return 200, nil
		case errors.As(err, &se) && se.Status != 429 && se.Status < 500:
			// A refused login is an answer, the same for both sides when nothing leaks.
			return se.Status, nil
		}
		return 0, err
	}
	send := func(channel, idType string) func(context.Context, identity) (int, error) {
		return func(ctx context.Context, id identity) (int, error) {
			return post(ctx, "/cis/v1/auth/otp/send", map[string]any{"channel": channel, "identifier_type": idType, "identifier": id.pick(idType)})
		}
	}
	return []enumerationRoute{
		{name: "otp-direct-send", do: send("direct", "email")},
		{name: "otp-email-send", do: send("email", "email")},
		{name: "otp-sms-send", do: send("sms", "phone_number")},
		{name: "otp-sms-send-by-email", do: send("sms", "email")},
		{name: "magic-link-send", do: func(ctx context.Context, id identity) (int, error) {
			return post(ctx, "/cis/v1/auth/link/email/send", map[string]any{"identifier_type": "email", "identifier": id.email, "redirect_uri": e.Opts.RedirectURI})
		}},
		{name: "password-reset-send", do: func(ctx context.Context, id identity) (int, error) {
			return post(ctx, "/cis/v1/auth/password/reset/send", map[string]any{"channel": "email", "identifier_type": "email", "identifier": id.email})
		}},
		{name: "totp-login", do: func(ctx context.Context, id identity) (int, error) {
			return post(ctx, "/cis/v1/auth/totp/authenticate", map[string]any{"identifier_type": "email", "identifier": id.email, "token": "000000"})
		}},
		{name: "recovery-code-login", do: func(ctx context.Context, id identity) (int, error) {
			return post(ctx, "/cis/v1/auth/recovery-code/authenticate", map[string]any{"identifier_type": "email", "identifier": id.email, "code": "0000-0000-00"})
		}},
	}
}

func (id identity) pick(idType string) string {
	if idType == "phone_number" {
		return id.phone
	}
	return id.email
}

// createEnumerationUsers creates n users as complete as real ones: an email address, a phone
// number, a password, a confirmed TOTP authenticator and recovery codes.
func (e *Env) createEnumerationUsers(ctx context.Context, n int) ([]identity, error) {
	out := make([]identity, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range out {
		out[i] = identity{email: fmt.Sprintf("bench-%s-enum-%d@example.com", e.run, i), phone: randomPhone()}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := e.createCompleteUser(ctx, out[i]); err != nil {
				errs <- fmt.Errorf("user %s: %w", out[i].email, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Env) createCompleteUser(ctx context.Context, id identity) error {
	var u struct {
		Result struct {
			UserID string `json:"user_id"`
		} `json:"result"`
	}
	body := map[string]any{"email": id.email, "phone_number": id.phone,
		"credentials": map[string]any{"password": benchPassword, "force_replace": false}}
	if err := e.Client.JSON(ctx, "POST", "/cis/v1/users", e.Token, body, &u); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	base := "/cis/v1/users/" + url.PathEscape(u.Result.UserID)
	var enrol struct {
		Result struct {
			TOTPID    string `json:"totp_id"`
			Secret    string `json:"secret"`
			Algorithm string `json:"algorithm"`
			Digits    int    `json:"digits"`
			Period    int    `json:"period"`
		} `json:"result"`
	}
	if err := e.Client.JSON(ctx, "POST", base+"/totp", e.Token, map[string]any{"name": "bench"}, &enrol); err != nil {
		return fmt.Errorf("enrol TOTP: %w", err)
	}
	t := enrol.Result
	alg := map[string]otp.Algorithm{"sha256": otp.AlgorithmSHA256, "sha512": otp.AlgorithmSHA512}[t.Algorithm]
	code, err := totp.GenerateCodeCustom(t.Secret, time.Now(), totp.ValidateOpts{
		Period: uint(t.Period), Digits: otp.Digits(t.Digits), Algorithm: alg})
	if err != nil {
		return fmt.Errorf("TOTP code: %w", err)
	}
	if err := e.Client.JSON(ctx, "POST", base+"/totp/"+url.PathEscape(t.TOTPID)+"/confirm", e.Token, map[string]any{"code": code}, nil); err != nil {
		return fmt.Errorf("confirm TOTP: %w", err)
	}
	if err := e.Client.JSON(ctx, "POST", base+"/recovery-codes", e.Token, nil, nil); err != nil {
		return fmt.Errorf("recovery codes: %w", err)
	}
	return nil
}
