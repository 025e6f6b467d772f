package passkeys

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasskeyLoginStart starts a passkey login (Mosaic's authentication start). The browser calls
// it with the application's public client id, so it authenticates nobody and hands out only
// a challenge.
type PasskeyLoginStart struct {
	ClientID string
	// Username names the user by the account name of their passkeys: their username, email
	// address, phone number or external user id, tried in that order. Empty, with no
	// Identifier either, it starts a login with a discoverable passkey, where the
	// authenticator names the user.
	Username       string
	IdentifierType string // email, phone_number, user_id or username, with Identifier
	Identifier     string
	Timeout        int // seconds, 30..600; 0 means 300
	ApprovalData   json.RawMessage
	// IPAddress is the client's address (the socket's peer, or the client a trusted proxy
	// forwarded the call for), counted against
	// webauthn_api.startsPerIp. A backend that relays the browser's start proves itself with
	// its client token (Backend, the caller that token established) and may then name the
	// end user's address in ClientAttributes, which is counted instead.
	IPAddress        string
	Backend          *model.Caller
	ClientAttributes model.ClientAttributes
}

var errNoPasskeys = fault.New(fault.NotFound, CodeWebAuthnNotFound, "the user has no passkeys")

// StartLogin opens a login ceremony and returns the request options for
// navigator.credentials.get. For a named user the options list their passkeys; for an
// unknown or passkey-less user under enumeration protection they list a stable decoy, and the
// login can only fail.
func (p *Service) StartLogin(ctx context.Context, req PasskeyLoginStart) (PasskeyCeremony, error) {
	return p.startLogin(ctx, req, "")
}

// startLogin is StartLogin for the cross-device ticket with the given id, or none.
func (p *Service) startLogin(ctx context.Context, req PasskeyLoginStart, ticket string) (PasskeyCeremony, error) {
	pace := p.s.PaceAnswers()
	defer pace.Hold(ctx)
	var problems []string
	if strings.TrimSpace(req.ClientID) == "" {
		problems = append(problems, "client_id is required")
	}
	timeout, tp := ceremonyTimeout(req.Timeout)
	approval, ap := auth.ParseApprovalData(req.ApprovalData)
	problems = append(append(problems, tp...), ap...)
	switch {
	case req.Username != "" && (req.Identifier != "" || req.IdentifierType != ""):
		problems = append(problems, "give username or identifier_type with identifier, not both")
	case req.Identifier != "" || req.IdentifierType != "":
		problems = append(problems, auth.ValidateIdentifier(req.IdentifierType, req.Identifier)...)
	case utf8.RuneCountInString(req.Username) > 256:
		problems = append(problems, "username must be at most 256 characters")
	}
	if len(problems) > 0 {
		return PasskeyCeremony{}, fault.Validation(problems...)
	}
	s := p.s
	client, err := p.store.GetClient(ctx, req.ClientID)
	if errors.Is(err, storage.ErrNotFound) {
		return PasskeyCeremony{}, fault.New(fault.Invalid, fault.CodeClientNotFound, "client_id names no client")
	} else if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "get client")
	}
	app, err := p.store.GetApplication(ctx, client.TenantID, client.AppID)
	if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "get application")
	}
	rp, w, err := relyingParty(app, timeout)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	c := model.Caller{TenantID: client.TenantID, AppID: app.ID, ClientID: client.ID}
	if req.Backend == nil {
		// Anyone on the internet can call the start with a public client id: it must not tell
		// who has an account, whatever the application's setting for its backend calls.
		app.EnumerationProtection = true
	}
	pace.On = app.EnumerationProtection
	attrs := model.ClientAttributes{IPAddress: req.IPAddress, UserAgent: req.ClientAttributes.UserAgent}
	if b := req.Backend; b != nil {
		if b.TenantID != c.TenantID || b.AppID != c.AppID {
			return PasskeyCeremony{}, fault.New(fault.Forbidden, fault.CodeForbidden, "the bearer token is of another application than client_id")
		}
		if req.ClientAttributes.IPAddress != "" {
			attrs.IPAddress = req.ClientAttributes.IPAddress
		}
	}
	now := s.Now()
	if attrs.IPAddress != "" {
		lim := auth.SendLimit{Key: "webauthn:start:" + c.TenantID + ":" + c.AppID + ":" + auth.IPKey(attrs.IPAddress), Limit: w.StartsPerIP, What: "this IP address"}
		if err := s.Hit(ctx, p.store, lim, now, time.Hour); err != nil {
			s.RecordLimited(ctx, c, err, model.AMRWebAuthn, attrs)
			return PasskeyCeremony{}, err
		}
	}
	code := model.OneTimeCode{
		TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, Purpose: model.PurposeWebAuthnLogin,
		ApprovalData: approval,
	}
	cer := ceremony{Flow: flowLogin, RP: rp, Ticket: ticket}
	var handle []byte
	var allow []StoredPasskey
	if req.Username != "" || req.Identifier != "" {
		u, identifier, subject, err := p.loginTarget(ctx, c, app, req)
		if err != nil {
			return PasskeyCeremony{}, err
		}
		code.Identifier = identifier
		// The passkeys are read for whoever the lookup settled on, a stand-in included (and
		// then ignored), and the decoy's id is derived for every start: a start for nobody
		// does the work of one for a real user.
		_, allow, err = userPasskeys(ctx, p.store, c.TenantID, subject, rp.ID)
		if err != nil {
			return PasskeyCeremony{}, err
		}
		decoy := s.Keys().HashCode("webauthn-decoy:"+c.TenantID+":"+c.AppID, identifier)
		if u.ID == "" {
			allow = nil
		}
		switch {
		case len(allow) > 0:
			handle, code.UserID = []byte(u.ID), u.ID
			s.RememberStandIn(c, "passkey", u.ID)
		case !app.EnumerationProtection && u.ID != "":
			return PasskeyCeremony{}, errNoPasskeys
		default:
			// The same shape as a real user's options, with a credential id derived from the
			// identifier so that asking twice gives the same answer.
			cer.Decoy = true
			allow = []StoredPasskey{{ID: decoy, Transports: []string{"hybrid", "internal"}}}
		}
	}
	options, state, err := p.v.LoginOptions(rp, handle, allow)
	if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "build request options")
	}
	cer.State = state
	id, err := p.open(ctx, code, cer, now)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{SessionID: id, Options: options, Origins: rp.Origins}, nil
}

// loginTarget finds the user a login start names among the application's users and returns
// them with the normalised identifier and the id the reads that follow are made for (the
// user's, or the flow's stand-in when the lookup settled on nobody; see standInUsers). An
// unknown or inactive user is an error unless the application hides whether users exist; then
// it is a zero user. Whatever is found, the same reads are made, so that the time a start
// takes does not tell who exists.
func (p *Service) loginTarget(ctx context.Context, c model.Caller, app model.Application, req PasskeyLoginStart) (model.User, string, string, error) {
	s := p.s
	var u model.User
	var identifier string
	var err error
	if req.Username != "" {
		u, identifier, err = p.findByUsername(ctx, c, req.Username)
	} else {
		norm, nerr := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
		if nerr != nil {
			return model.User{}, "", "", fault.Validation("identifier: " + nerr.Error())
		}
		identifier = req.IdentifierType + ":" + norm
		u, err = s.Lookup(ctx, p.store, c, "passkey", req.IdentifierType, norm)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return model.User{}, "", "", fault.Wrap(err, "find user")
	}
	subject := s.SubjectID(c, "passkey", u, err)
	_, lerr := p.store.GetAppUser(ctx, c.TenantID, c.AppID, subject)
	if lerr != nil && !errors.Is(lerr, storage.ErrNotFound) {
		return model.User{}, "", "", fault.Wrap(lerr, "get app user")
	}
	if err == nil && (lerr == nil || app.AllowPublicSignup) {
		if u.Status == model.UserActive {
			return u, identifier, subject, nil
		}
		if !app.EnumerationProtection {
			return model.User{}, "", "", errUserNotActive
		}
		return model.User{}, identifier, subject, nil
	}
	if app.EnumerationProtection {
		return model.User{}, identifier, subject, nil
	}
	return model.User{}, "", "", errPasskeyUserGone
}

// findByUsername finds the user a login's username names. The username is the account name
// a passkey was registered with, which by default is the user's username, else their email
// address, phone number or external user id; so it is looked up as each of these in turn.
// It returns storage.ErrNotFound, and "username:" with the name, when none matches.
func (p *Service) findByUsername(ctx context.Context, c model.Caller, name string) (model.User, string, error) {
	tries := []struct {
		field string
		norm  func(string) (string, error)
	}{
		{storage.UserByUsername, directory.NormalizeUsername},
		{storage.UserByEmail, directory.NormalizeEmail},
		{storage.UserByPhone, directory.NormalizePhone},
		{storage.UserByExternalUserID, normalizeExternalUserID},
	}
	// Every form the name takes is looked up, even after a match: stopping at the first would
	// answer sooner for a user found by username than for one found by external id or nobody.
	found, identifier := model.User{}, ""
	for _, try := range tries {
		v, err := try.norm(name)
		if err != nil {
			continue
		}
		u, err := p.s.Lookup(ctx, p.store, c, "passkey", try.field, v)
		switch {
		case err == nil && found.ID == "":
			found, identifier = u, try.field+":"+v
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return u, "", err
		}
	}
	if found.ID != "" {
		return found, identifier, nil
	}
	return model.User{}, model.IdentifierUsername + ":" + strings.ToLower(strings.TrimSpace(name)), storage.ErrNotFound
}
