package passkeys

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// PasskeyRegistrationStart starts registering a passkey. A backend names the user by UserID
// or ExternalUserID (an external id that matches no user registers a new user, created when
// the registration finishes); a logged-in user registering for themselves names nobody.
type PasskeyRegistrationStart struct {
	UserID         string
	ExternalUserID string
	// Username is the account name the authenticator shows (WebAuthn user.name); empty
	// means the user's username, email address, phone number or external id.
	Username    string
	DisplayName string // WebAuthn user.displayName; empty means the user's name
	Timeout     int    // seconds, 30..600; 0 means 300
}

// registrant is the user a registration is for: an existing one, or the one it will create.
type registrant struct {
	user     model.User // zero for a user still to create
	newID    string     // the id reserved for that user
	external string
}

func (r registrant) id() string {
	if r.user.ID != "" {
		return r.user.ID
	}
	return r.newID
}

// StartExternalRegistration opens a registration for a user the calling backend names
// (Mosaic's registration of a logged-out or external user).
func (p *Service) StartExternalRegistration(ctx context.Context, c model.Caller, req PasskeyRegistrationStart) (PasskeyCeremony, error) {
	problems := entityProblems(req)
	external := ""
	if req.ExternalUserID != "" {
		var err error
		if external, err = normalizeExternalUserID(req.ExternalUserID); err != nil {
			problems = append(problems, "external_user_id: "+err.Error())
		}
	}
	switch {
	case req.UserID == "" && req.ExternalUserID == "":
		problems = append(problems, "user_id or external_user_id is required")
	case req.UserID != "" && !model.ValidID(req.UserID):
		return PasskeyCeremony{}, errPasskeyUserGone
	}
	if len(problems) > 0 {
		return PasskeyCeremony{}, fault.Validation(problems...)
	}
	r, err := p.externalRegistrant(ctx, c, req.UserID, external)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return p.startRegistration(ctx, c, r, flowExternal, req, "")
}

// externalRegistrant finds the user a backend's registration names by id or by external id
// (one it can see: its application's, or any of the tenant's for a management caller), or
// reserves an id for the new user an unknown external id registers, and checks that the
// caller may add a credential for them.
func (p *Service) externalRegistrant(ctx context.Context, c model.Caller, userID, external string) (registrant, error) {
	r := registrant{external: external}
	var err error
	if userID != "" {
		r.user, err = p.visibleUser(ctx, p.store, c, userID)
		if err == nil && external != "" && r.user.ExternalUserID != external {
			err = fault.Validation("external_user_id is not the external id of the user named by user_id")
		}
	} else {
		r.user, err = p.store.GetUserBy(ctx, c.TenantID, storage.UserByExternalUserID, external)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			r.user, r.newID, err = model.User{}, model.NewID(), nil
		case err != nil:
			err = fault.Wrap(err, "find user")
		default:
			// An existing user must be one of the caller's: another application's user is not
			// the caller's to give a passkey to.
			r.user, err = p.visibleUser(ctx, p.store, c, r.user.ID)
		}
	}
	if err != nil {
		return r, err
	}
	if r.user.ID != "" {
		if _, err := directory.AllowCredential(ctx, p.store, c, r.user.ID, directory.ByCaller); err != nil {
			return r, err
		}
	}
	return r, nil
}

// StartSelfRegistration opens a registration for the logged-in user of u.
func (p *Service) StartSelfRegistration(ctx context.Context, u auth.UserCaller, req PasskeyRegistrationStart) (PasskeyCeremony, error) {
	if problems := entityProblems(req); len(problems) > 0 {
		return PasskeyCeremony{}, fault.Validation(problems...)
	}
	user, err := p.store.GetUser(ctx, u.TenantID, u.UserID)
	if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "get user")
	}
	// The access token may come from a login the application ran itself (a code it sent
	// itself), so it vouches for no more than the application's client token does.
	if _, err := directory.AllowCredential(ctx, p.store, u.Caller, user.ID, directory.ByCaller); err != nil {
		return PasskeyCeremony{}, err
	}
	return p.startRegistration(ctx, u.Caller, registrant{user: user}, flowSelf, req, "")
}

// startRegistration opens a registration ceremony for r, for the cross-device ticket with the
// given id or none.
func (p *Service) startRegistration(ctx context.Context, c model.Caller, r registrant, flow string, req PasskeyRegistrationStart, ticket string) (PasskeyCeremony, error) {
	s := p.s
	if r.user.ID != "" && r.user.Status != model.UserActive {
		return PasskeyCeremony{}, errUserNotActive
	}
	timeout, _ := ceremonyTimeout(req.Timeout)
	app, err := p.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "get application")
	}
	rp, w, err := relyingParty(app, timeout)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	var exclude []StoredPasskey
	if r.user.ID != "" {
		if _, exclude, err = userPasskeys(ctx, p.store, c.TenantID, r.user.ID, rp.ID); err != nil {
			return PasskeyCeremony{}, err
		}
	}
	switch {
	case w.ReplaceExistingPasskey:
		// The new passkey replaces these, so the same authenticator may register again.
		exclude = nil
	case len(exclude) >= maxPasskeysPerUser:
		return PasskeyCeremony{}, errPasskeyLimit
	}
	entity := PasskeyUser{Handle: []byte(r.id()), Name: req.Username, DisplayName: req.DisplayName}
	if entity.Name == "" {
		entity.Name = accountName(r)
	}
	if entity.DisplayName == "" {
		entity.DisplayName = displayName(r.user, entity.Name)
	}
	options, state, err := p.v.RegistrationOptions(rp, entity, exclude)
	if err != nil {
		return PasskeyCeremony{}, fault.Wrap(err, "build creation options")
	}
	code := model.OneTimeCode{
		TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID, UserID: r.user.ID,
		Purpose: model.PurposeWebAuthnRegister,
	}
	cer := ceremony{
		Flow: flow, State: state, RP: rp, UserName: entity.Name, DisplayName: entity.DisplayName,
		NewUserID: r.newID, ExternalUserID: r.external, Ticket: ticket,
	}
	id, err := p.open(ctx, code, cer, s.Now())
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{SessionID: id, Options: options}, nil
}

// visibleUser returns the user with id as c may see it: any user of the tenant for a
// management caller, else only a user linked to c's application.
func (p *Service) visibleUser(ctx context.Context, st Store, c model.Caller, id string) (model.User, error) {
	if !model.ValidID(id) {
		return model.User{}, errPasskeyUserGone
	}
	u, err := st.GetUser(ctx, c.TenantID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return u, errPasskeyUserGone
	} else if err != nil {
		return u, fault.Wrap(err, "get user")
	}
	if c.Admin {
		return u, nil
	}
	if _, err := st.GetAppUser(ctx, c.TenantID, c.AppID, id); errors.Is(err, storage.ErrNotFound) {
		return u, errPasskeyUserGone
	} else if err != nil {
		return u, fault.Wrap(err, "get app user")
	}
	return u, nil
}

// entityProblems checks the user entity and timeout of a registration start.
func entityProblems(req PasskeyRegistrationStart) []string {
	var p []string
	for _, f := range []struct{ name, v string }{{"username", req.Username}, {"display_name", req.DisplayName}} {
		if utf8.RuneCountInString(f.v) > 64 || strings.ContainsFunc(f.v, unicode.IsControl) || !utf8.ValidString(f.v) {
			p = append(p, f.name+" must be at most 64 printable characters")
		}
	}
	_, tp := ceremonyTimeout(req.Timeout)
	return append(p, tp...)
}

// accountName is the name an authenticator shows for a user's passkey when the caller gave
// none: the most recognisable identifier the user has.
func accountName(r registrant) string {
	u := r.user
	for _, v := range []string{u.Username, u.Email, u.PhoneNumber, u.ExternalUserID, r.external} {
		if v != "" {
			return v
		}
	}
	return r.id()
}

func displayName(u model.User, fallback string) string {
	if n := strings.TrimSpace(u.Name.FirstName + " " + u.Name.LastName); n != "" {
		return n
	}
	return fallback
}

// normalizeExternalUserID trims an external user id and checks it as the users API does.
func normalizeExternalUserID(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", errors.New("is empty")
	case utf8.RuneCountInString(v) > 256:
		return "", errors.New("is longer than 256 characters")
	case strings.ContainsFunc(v, unicode.IsControl) || !utf8.ValidString(v):
		return "", errors.New("contains control characters")
	}
	return v, nil
}

// normalizeUserEmail checks the user_email of a registration that creates its user.
func normalizeUserEmail(v string) (string, []string) {
	if v == "" {
		return "", nil
	}
	e, err := directory.NormalizeEmail(v)
	if err != nil {
		return "", []string{"user_email: " + err.Error()}
	}
	return e, nil
}
