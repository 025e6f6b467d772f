package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/delivery/twilio"
	"github.com/latchkey/latchkey/internal/model"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "token-shh"
	serviceSID = "MGfedcba9876543210fedcba9876543210"
)

// standIn is a local Twilio Messages endpoint that checks credentials, records each request's
// form and answers as told.
type standIn struct {
	mu     sync.Mutex
	forms  []url.Values
	paths  []string
	status int
	body   string
	srv    *httptest.Server
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{status: http.StatusCreated, body: `{"sid":"SM1","status":"queued"}`}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if r.Method != http.MethodPost || !ok || user != accountSID || pass != authToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":20003,"message":"Authenticate","status":401}`)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		s.mu.Lock()
		s.forms = append(s.forms, r.PostForm)
		s.paths = append(s.paths, r.URL.Path)
		status, body := s.status, s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standIn) answer(status int, body string) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func newSender(t *testing.T, cfg twilio.Config) *twilio.Sender {
	t.Helper()
	snd, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

var sms = model.OutboxMessage{ID: "m1", Kind: model.MessageSMS, To: "+14155552671", Text: "123456 is your Acme code."}

func TestSendRequestShape(t *testing.T) {
	s := newStandIn(t)
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006", BaseURL: s.srv.URL})
	if err := snd.Send(context.Background(), sms); err != nil {
		t.Fatal(err)
	}
	if want := "/2010-04-01/Accounts/" + accountSID + "/Messages.json"; s.paths[0] != want {
		t.Fatalf("path %q, want %q", s.paths[0], want)
	}
	f := s.forms[0]
	if f.Get("To") != sms.To || f.Get("Body") != sms.Text || f.Get("From") != "+15005550006" || f.Has("MessagingServiceSid") {
		t.Fatalf("form %v", f)
	}
}

func TestSendWithServiceAndSenderID(t *testing.T) {
	s := newStandIn(t)
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: authToken, MessagingServiceSID: serviceSID, BaseURL: s.srv.URL + "/"})
	if err := snd.Send(context.Background(), sms); err != nil {
		t.Fatal(err)
	}
	withID := sms
	withID.From = "Acme"
	if err := snd.Send(context.Background(), withID); err != nil {
		t.Fatal(err)
	}
	if f := s.forms[0]; f.Get("MessagingServiceSid") != serviceSID || f.Has("From") {
		t.Fatalf("form without sender id: %v", f)
	}
	if f := s.forms[1]; f.Get("MessagingServiceSid") != serviceSID || f.Get("From") != "Acme" {
		t.Fatalf("form with sender id: %v", f)
	}
}

func TestSendClassifiesErrors(t *testing.T) {
	s := newStandIn(t)
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006", BaseURL: s.srv.URL})
	cases := []struct {
		status    int
		body      string
		permanent bool
		mention   string
	}{
		{400, `{"code":21211,"message":"The 'To' number +1415 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`, true, "21211"},
		{400, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}`, true, "21610"},
		{404, `not json`, true, "HTTP 404"},
		{429, `{"code":20429,"message":"Too Many Requests","status":429}`, false, "20429"},
		{500, `{"code":20500,"message":"Internal Server Error","status":500}`, false, "20500"},
		{503, ``, false, "HTTP 503"},
	}
	for _, c := range cases {
		s.answer(c.status, c.body)
		err := snd.Send(context.Background(), sms)
		if err == nil {
			t.Errorf("HTTP %d reported as sent", c.status)
			continue
		}
		if delivery.IsPermanent(err) != c.permanent || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("HTTP %d: %v (permanent %v), want permanent %v mentioning %q", c.status, err, delivery.IsPermanent(err), c.permanent, c.mention)
		}
	}
}

func TestWrongCredentialsAreRetried(t *testing.T) {
	s := newStandIn(t)
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: "wrong", From: "+15005550006", BaseURL: s.srv.URL})
	err := snd.Send(context.Background(), sms)
	if err == nil || delivery.IsPermanent(err) || !strings.Contains(err.Error(), "20003") {
		t.Fatalf("send with a wrong token = %v, want a transient 20003 error", err)
	}
}

func TestNetworkErrorIsTransient(t *testing.T) {
	s := newStandIn(t)
	base := s.srv.URL
	s.srv.Close()
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006", BaseURL: base})
	if err := snd.Send(context.Background(), sms); err == nil || delivery.IsPermanent(err) {
		t.Fatalf("send to a closed port = %v, want a transient error", err)
	}
}

func TestEmailIsRefused(t *testing.T) {
	snd := newSender(t, twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006"})
	err := snd.Send(context.Background(), model.OutboxMessage{Kind: model.MessageEmail, To: "a@example.com"})
	if !delivery.IsPermanent(err) {
		t.Fatalf("email through Twilio = %v, want a permanent error", err)
	}
}

func TestConfigProblems(t *testing.T) {
	cases := map[string]twilio.Config{
		"account SID":  {AccountSID: "AC123", AuthToken: authToken, From: "+1"},
		"auth token":   {AccountSID: accountSID, From: "+1"},
		"From number":  {AccountSID: accountSID, AuthToken: authToken},
		"Service SID":  {AccountSID: accountSID, AuthToken: authToken, MessagingServiceSID: "MG1"},
		"https":        {AccountSID: accountSID, AuthToken: authToken, From: "+1", BaseURL: "http://api.example.com"},
		"absolute URL": {AccountSID: accountSID, AuthToken: authToken, From: "+1", BaseURL: "api.twilio.com"},
	}
	for want, cfg := range cases {
		_, err := twilio.New(cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%+v) = %v, want an error about %s", cfg, err, want)
		}
	}
}
