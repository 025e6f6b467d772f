package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// twilioStandIn is a local stand-in for Twilio's Messages API: it checks the path and the
// basic credentials of each request and records the form of each message it accepts.
type twilioStandIn struct {
	t       *testing.T
	sid     string
	token   string
	mu      sync.Mutex
	forms   []url.Values
	changed chan struct{}
	srv     *httptest.Server
}

func startTwilioStandIn(t *testing.T, sid, token string) *twilioStandIn {
	s := &twilioStandIn{t: t, sid: sid, token: token, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *twilioStandIn) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.sid || pass != s.token {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":20003,"message":"Authenticate","status":401}`)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+s.sid+"/Messages.json" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":20404,"message":"Not Found","status":404}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.forms = append(s.forms, r.PostForm)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","to":%q}`, len(s.forms), r.PostForm.Get("To"))
}

// waitFor returns the first message to `to`, waiting up to smtpWait for it.
func (s *twilioStandIn) waitFor(to string) url.Values {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), smtpWait)
	defer cancel()
	for {
		s.mu.Lock()
		for _, f := range s.forms {
			if f.Get("To") == to {
				s.mu.Unlock()
				return f
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			s.t.Fatalf("no SMS to %s reached the Twilio stand-in", to)
		case <-changed:
		}
	}
}

func TestProcessSMSOTPOverTwilio(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st procStore) {
		const sid, authToken, phone = "AC00112233445566778899aabbccddeeff", "stand-in-token", "+14155552671"
		twilio := startTwilioStandIn(t, sid, authToken)
		srv := startLatchkeyServer(t, st, "", map[string]string{
			"LATCHKEY_SMS_PROVIDER":       "twilio",
			"LATCHKEY_TWILIO_ACCOUNT_SID": sid,
			"LATCHKEY_TWILIO_AUTH_TOKEN":  authToken,
			"LATCHKEY_TWILIO_FROM":        "+15005550006",
			"LATCHKEY_TWILIO_BASE_URL":    twilio.srv.URL,
		})
		boot := srv.waitBootstrap()
		tok := srv.token(boot.ClientID, boot.ClientSecret)
		wantStatus(t, srv.do("POST", "/cis/v1/users", tok, map[string]any{"phone_number": phone}), 201, "")
		res := srv.do("POST", "/cis/v1/auth/otp/send", tok, map[string]any{"channel": "sms", "identifier_type": "phone_number", "identifier": phone})
		wantStatus(t, res, 200, "")

		form := twilio.waitFor(phone)
		if form.Get("From") != "+15005550006" {
			t.Fatalf("SMS sent from %q, want the configured number", form.Get("From"))
		}
		code := codeIn(t, form.Get("Body"))
		res = srv.do("POST", "/cis/v1/auth/otp/authenticate", tok, map[string]any{"passcode": code, "identifier_type": "phone_number", "identifier": phone})
		wantStatus(t, res, 200, "")
		if s, _ := res.JSON(t)["id_token"].(string); s == "" {
			t.Fatalf("no ID token: %s", res.Body)
		}
		// Delivery is recorded: the message is not sent again.
		time.Sleep(2 * time.Second)
		twilio.mu.Lock()
		n := len(twilio.forms)
		twilio.mu.Unlock()
		if n != 1 {
			t.Fatalf("the stand-in received %d messages, want 1", n)
		}
	})
}
