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
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// A cross-device flow is a passkey login or registration begun on one device (the access
// device, a desktop say, which shows the ticket as a QR code and polls its status) and carried
// out on another (the authenticating device, a phone, which attaches itself, starts the
// ceremony with the ticket and has its backend finish it as any other).
//
// The ticket is the only thing the public steps carry, so it is a 256-bit random secret, given
// once to whoever began the flow and stored only as a keyed hash. A ticket is bound to the
// application that began it: the ceremony it opens is that application's, and only that
// application's backend can finish it. It lives for crossDeviceTTL, opens at most one ceremony,
// can be attached by one device, and ends with that ceremony's finish, whatever its outcome.
// Whoever polls the status learns the session of a successful login only once, and cannot make
// the flow succeed: only a verified ceremony does.
const (
	crossDeviceTTL = 5 * time.Minute
	// crossDeviceKeep is how long an ended or expired ticket is kept, so that a late poll reads
	// its status rather than not-found.
	crossDeviceKeep = time.Hour
	// maxTicketLength bounds the tickets accepted; real ones are 43 characters.
	maxTicketLength = 128
)

// Error codes of the cross-device flows.
const (
	CodeTicketNotFound = "cross_device_ticket_not_found"
	CodeTicketUsed     = "cross_device_ticket_used"
	CodeTicketEnded    = "cross_device_ticket_ended"
)

var (
	errTicketNotFound = fault.New(fault.NotFound, CodeTicketNotFound, "cross_device_ticket_id names no cross-device flow")
	errTicketAttached = fault.New(fault.Conflict, CodeTicketUsed, "another device has already attached itself to this cross-device flow")
	errTicketStarted  = fault.New(fault.Conflict, CodeTicketUsed, "this cross-device flow has already started its ceremony; begin a new flow")
	errTicketKind     = fault.New(fault.Invalid, fault.CodeInvalidInput, "this cross-device flow is of another kind")
	errClientNotFound = fault.New(fault.NotFound, fault.CodeClientNotFound, "client_id names no client")
)

// errTicketEnded refuses a step of a flow that has ended, naming how.
func errTicketEnded(status string) *fault.Error {
	return fault.New(fault.Invalid, CodeTicketEnded, "this cross-device flow has ended (%s); begin a new flow", status)
}

// CrossDeviceLoginInit begins a cross-device login (Mosaic's cross-device authentication
// init). Like the login start, it is called by browsers with the application's public client
// id, so it authenticates nobody; it looks nobody up either, so that it tells nothing of who
// has an account.
type CrossDeviceLoginInit struct {
	ClientID     string
	Username     string // empty: the authenticating device's passkey names the user
	ApprovalData json.RawMessage
	// IPAddress, Backend and ClientAttributes are as in PasskeyLoginStart: the inits share the
	// starts' budget per address (webauthn_api.startsPerIp).
	IPAddress        string
	Backend          *model.Caller
	ClientAttributes model.ClientAttributes
}

// CrossDeviceTicketStatus is what a device learns of a flow.
type CrossDeviceTicketStatus struct {
	Status       string
	StartedAt    time.Time       // when the flow began
	ApprovalData json.RawMessage // the transaction a login approves, or nil
	// SessionID is the session a successful login made, given to the first status poll
	// after the success and to no other.
	SessionID string
	// Origins are the web origins of the flow's application (webauthn_api.rpWebOrigins): those
	// a browser calling the public steps directly may read the answers from (CORS).
	Origins []string
}

// CrossDeviceInit is a begun flow: its ticket, and the origins that may read the answer.
type CrossDeviceInit struct {
	Ticket  string
	Origins []string
}

// InitCrossDeviceLogin begins a cross-device login for the application of req.ClientID and
// returns its ticket.
func (p *Service) InitCrossDeviceLogin(ctx context.Context, req CrossDeviceLoginInit) (CrossDeviceInit, error) {
	ticket, origins, err := p.initCrossDeviceLogin(ctx, req)
	return CrossDeviceInit{Ticket: ticket, Origins: origins}, err
}

func (p *Service) initCrossDeviceLogin(ctx context.Context, req CrossDeviceLoginInit) (string, []string, error) {
	var problems []string
	if strings.TrimSpace(req.ClientID) == "" {
		problems = append(problems, "client_id is required")
	}
	if utf8.RuneCountInString(req.Username) > 256 {
		problems = append(problems, "username must be at most 256 characters")
	}
	approval, ap := auth.ParseApprovalData(req.ApprovalData)
	if problems = append(problems, ap...); len(problems) > 0 {
		return "", nil, fault.Validation(problems...)
	}
	client, err := p.store.GetClient(ctx, req.ClientID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil, errClientNotFound
	} else if err != nil {
		return "", nil, fault.Wrap(err, "get client")
	}
	app, err := p.store.GetApplication(ctx, client.TenantID, client.AppID)
	if err != nil {
		return "", nil, fault.Wrap(err, "get application")
	}
	rp, w, err := relyingParty(app, defaultCeremonyTimeout)
	if err != nil {
		return "", nil, err
	}
	c := model.Caller{TenantID: client.TenantID, AppID: app.ID, ClientID: client.ID}
	attrs := model.ClientAttributes{IPAddress: req.IPAddress, UserAgent: req.ClientAttributes.UserAgent}
	if b := req.Backend; b != nil {
		if b.TenantID != c.TenantID || b.AppID != c.AppID {
			return "", nil, fault.New(fault.Forbidden, fault.CodeForbidden, "the bearer token is of another application than client_id")
		}
		if req.ClientAttributes.IPAddress != "" {
			attrs.IPAddress = req.ClientAttributes.IPAddress
		}
	}
	now := p.s.Now()
	if attrs.IPAddress != "" {
		lim := auth.SendLimit{Key: "webauthn:start:" + c.TenantID + ":" + c.AppID + ":" + auth.IPKey(attrs.IPAddress), Limit: w.StartsPerIP, What: "this IP address"}
		if err := p.s.Hit(ctx, p.store, lim, now, time.Hour); err != nil {
			p.s.RecordLimited(ctx, c, err, model.AMRWebAuthn, attrs)
			return "", nil, err
		}
	}
	ticket, err := p.createTicket(ctx, c, model.CrossDeviceTicket{
		Flow: model.CrossDeviceAuthenticate, Username: strings.TrimSpace(req.Username), ApprovalData: approval,
	}, now)
	return ticket, rp.Origins, err
}

// InitCrossDeviceSelfRegistration begins the cross-device registration of a passkey for the
// logged-in user of u (Mosaic's logged-in registration init). username is the account name
// the authenticator will show.
func (p *Service) InitCrossDeviceSelfRegistration(ctx context.Context, u auth.UserCaller, username string) (string, error) {
	name, problems := ticketUsername(username)
	if len(problems) > 0 {
		return "", fault.Validation(problems...)
	}
	user, err := p.store.GetUser(ctx, u.TenantID, u.UserID)
	if err != nil {
		return "", fault.Wrap(err, "get user")
	}
	if user.Status != model.UserActive {
		return "", errUserNotActive
	}
	// The rule for adding a credential is checked now, so that no ticket is handed out for a
	// registration the start would refuse, and again at the start and at the finish.
	if _, err := directory.AllowCredential(ctx, p.store, u.Caller, user.ID, directory.ByCaller); err != nil {
		return "", err
	}
	r := registrant{user: user}
	if err := p.registrationAllowedFor(ctx, u.Caller, r); err != nil {
		return "", err
	}
	return p.createTicket(ctx, u.Caller, model.CrossDeviceTicket{
		Flow: model.CrossDeviceRegister, UserID: user.ID, Username: name,
	}, p.s.Now())
}

// InitCrossDeviceExternalRegistration begins the cross-device registration of a passkey for
// the user a backend names by external id (Mosaic's logged-out registration init): an existing
// user of the caller's, or a new user created when the registration finishes.
func (p *Service) InitCrossDeviceExternalRegistration(ctx context.Context, c model.Caller, externalUserID, username string) (string, error) {
	name, problems := ticketUsername(username)
	external := ""
	if strings.TrimSpace(externalUserID) == "" {
		problems = append(problems, "external_user_id is required")
	} else {
		var err error
		if external, err = normalizeExternalUserID(externalUserID); err != nil {
			problems = append(problems, "external_user_id: "+err.Error())
		}
	}
	if len(problems) > 0 {
		return "", fault.Validation(problems...)
	}
	r, err := p.externalRegistrant(ctx, c, "", external)
	if err != nil {
		return "", err
	}
	if r.user.ID != "" && r.user.Status != model.UserActive {
		return "", errUserNotActive
	}
	if err := p.registrationAllowedFor(ctx, c, r); err != nil {
		return "", err
	}
	return p.createTicket(ctx, c, model.CrossDeviceTicket{
		Flow: model.CrossDeviceExternalRegister, UserID: r.user.ID, Username: name, ExternalUserID: external,
	}, p.s.Now())
}

// registrationAllowedFor checks, before a ticket is handed out, what the registration's start
// would refuse: an application without WebAuthn, and a user at the passkey limit.
func (p *Service) registrationAllowedFor(ctx context.Context, c model.Caller, r registrant) error {
	app, err := p.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	rp, w, err := relyingParty(app, defaultCeremonyTimeout)
	if err != nil || r.user.ID == "" || w.ReplaceExistingPasskey {
		return err
	}
	_, existing, err := userPasskeys(ctx, p.store, c.TenantID, r.user.ID, rp.ID)
	if err != nil {
		return err
	}
	if len(existing) >= maxPasskeysPerUser {
		return errPasskeyLimit
	}
	return nil
}

// ticketUsername checks the account name a registration ticket is begun with.
func ticketUsername(v string) (string, []string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", []string{"username is required"}
	}
	if problems := entityProblems(PasskeyRegistrationStart{Username: v}); len(problems) > 0 {
		return "", problems
	}
	return v, nil
}

// TicketHash is the keyed hash under which a ticket is stored (HashCode bound to the tickets'
// use); tests read tickets' state through it.
func TicketHash(keys *secret.Keys, ticket string) []byte {
	return keys.HashCode("webauthn-cross-device-ticket", ticket)
}

// createTicket stores a new ticket of c's application and returns the ticket itself.
func (p *Service) createTicket(ctx context.Context, c model.Caller, t model.CrossDeviceTicket, now time.Time) (string, error) {
	ticket := secret.NewLinkCode()
	t.ID, t.TenantID, t.AppID, t.ClientID, t.Admin = model.NewID(), c.TenantID, c.AppID, c.ClientID, c.Admin
	t.Hash = TicketHash(p.s.Keys(), ticket)
	t.Status = model.CrossDevicePending
	t.CreatedAt, t.UpdatedAt = now, now
	t.ExpiresAt = now.Add(crossDeviceTTL)
	t.KeepUntil = t.ExpiresAt.Add(crossDeviceKeep)
	err := p.store.InTx(ctx, func(tx storage.Store) error {
		if err := tx.CreateCrossDeviceTicket(ctx, t); err != nil {
			return err
		}
		return p.s.Record(ctx, tx, c, crossDeviceEvent(t, "begun"), now)
	})
	if err != nil {
		return "", fault.Wrap(err, "store cross-device ticket")
	}
	return ticket, nil
}

// crossDeviceEvent is the audit event of a step of flow t.
func crossDeviceEvent(t model.CrossDeviceTicket, step string) auth.Event {
	return auth.Event{Type: model.EventWebAuthnCrossDevice, Method: model.AMRWebAuthn, UserID: t.UserID,
		Details: map[string]any{"flow": t.Flow, "step": step}}
}

// findTicket returns the ticket a public step names. A malformed or unknown ticket is
// errTicketNotFound alike.
func (p *Service) findTicket(ctx context.Context, ticket string) (model.CrossDeviceTicket, error) {
	ticket = strings.TrimSpace(ticket)
	switch {
	case ticket == "":
		return model.CrossDeviceTicket{}, fault.Validation("cross_device_ticket_id is required")
	case len(ticket) > maxTicketLength:
		return model.CrossDeviceTicket{}, errTicketNotFound
	}
	t, err := p.store.FindCrossDeviceTicket(ctx, TicketHash(p.s.Keys(), ticket))
	if errors.Is(err, storage.ErrNotFound) {
		return t, errTicketNotFound
	} else if err != nil {
		return t, fault.Wrap(err, "find cross-device ticket")
	}
	return t, nil
}
