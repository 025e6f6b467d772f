package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/orgs"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Login is the part of every authenticate call that is the same for all methods: which session
// to add the factor to (or none, to start one), which resource and claims the tokens carry, and
// the end user's device.
type Login struct {
	// SessionID is a session id as the login response returned it, never its reference.
	SessionID        string
	Resource         string
	Claims           ClaimsRequest
	ClientAttributes model.ClientAttributes
}

// Grant is what a successful factor check hands to issue: who logged in, how, and for whom.
type Grant struct {
	Caller model.Caller
	User   model.User
	// Link is the user's Link to the caller's application when the flow has read it already.
	Link   *model.AppUser
	Method string
	Login  Login
	// Unverified is set when the factor went to an address other than the profile's (a
	// custom_email or custom_phone_number): the login then verifies nothing.
	Unverified bool
	// Approval is the approval_data of the redeemed code, echoed in the ID token.
	Approval []byte
	// CallersWord is set when the factor proves only what the caller says: a code it had
	// sent to itself (the direct channel) rather than one the person received.
	CallersWord bool
	// NewUser is set when this login created the user (a public sign-up): the ID token's
	// new_user.
	NewUser bool
}

// Issued is what the write transaction of a login produced, to be signed after it commits.
type Issued struct {
	Session model.Session
	// SessionID is the session's id when the call knows it (it made the session, or was
	// given the id) or, for a refresh, opens it from the session's sealed copy: the only
	// place it is returned, and only to a client that was given it with its refresh token.
	SessionID string
	User      model.User
	Link      model.AppUser
	Client    model.Client
	App       model.Application
	Refresh   string
	Aud       string
	// Approval is the approval_data the login approved (a JSON object), or nil.
	Approval []byte
	// Scope is the scope the tokens grant; empty means DefaultUserScope.
	Scope string
	// NewUser is set when the login created the user.
	NewUser bool
	// Org is the organization the user logged in to as its member (the session's org_id),
	// with the membership, or nil for a login outside any organization.
	Org *model.OrgLogin
}

var ErrSessionNotFound = fault.New(fault.Invalid, fault.CodeSessionNotFound, "session not found or no longer active")

// ErrNotLinked refuses tokens for an application the user is no longer a user of.
var ErrNotLinked = fault.New(fault.Invalid, fault.CodeUserNotFound, "user is not a user of this application")

// RecordLogin runs inside the login's write transaction: it marks the user's last login,
// creates the session or adds the factor to the given one, and stores a new refresh token.
func (s *Service) RecordLogin(ctx context.Context, tx storage.Store, g Grant, now time.Time) (_ Issued, err error) {
	ctx, span := s.step(ctx, "auth.record_login")
	defer func() { span.End(err) }()
	var out Issued
	// A claims request decoded from JSON was checked then; one built otherwise is checked
	// here, before anything is written.
	if err := CheckClaims(g.Login.Claims); err != nil {
		return out, err
	}
	client, err := issuingClient(ctx, tx, g.Caller, g.Caller.ClientID)
	if err != nil {
		return out, err
	}
	app, err := tx.GetApplication(ctx, g.Caller.TenantID, g.Caller.AppID)
	if err != nil {
		return out, fault.Wrap(err, "get application")
	}
	aud, res, err := s.AudienceResource(ctx, client, g.Login.Resource)
	if err != nil {
		return out, err
	}
	// One statement marks the login; the user read by the flow, with the same change made in
	// memory, is what the tokens describe.
	u := g.User
	verifyEmail := !g.Unverified && (g.Method == model.AMREmailOTP || g.Method == model.AMRMagicLink)
	verifyPhone := !g.Unverified && g.Method == model.AMRSMS
	if err := tx.MarkLogin(ctx, g.Caller.TenantID, u.ID, now, verifyEmail, verifyPhone); err != nil {
		return out, fault.Wrap(err, "update user")
	}
	u.LastAuthAt = &now
	if verifyEmail && u.EmailVerifiedAt == nil {
		u.EmailVerifiedAt = &now
	}
	if verifyPhone && u.PhoneVerifiedAt == nil {
		u.PhoneVerifiedAt = &now
	}
	out.User = u
	if g.Link != nil {
		out.Link = *g.Link
	} else {
		link, err := tx.GetAppUser(ctx, g.Caller.TenantID, g.Caller.AppID, g.User.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return out, fault.Wrap(err, "get app user")
		}
		out.Link = link
	}
	factor := model.Factor{Method: g.Method, At: now}
	if g.Login.SessionID != "" {
		out.Session, err = s.addFactor(ctx, tx, g, factor, now)
		out.SessionID = g.Login.SessionID
	} else {
		out.Session, out.SessionID, err = s.newSession(ctx, tx, g, client, factor, now)
	}
	if err != nil {
		return out, err
	}
	if out.Org, err = s.orgLogin(ctx, tx, g.Caller.TenantID, g.Caller.AppID, out.Session.ClientAttributes.OrgID, g.Login.ClientAttributes.OrgID, u.ID); err != nil {
		return out, err
	}
	// The tokens take the resource's lifetimes where it sets them.
	out.Client, out.App, out.Aud, out.Approval = WithResource(client, res), app, aud, g.Approval
	out.Scope, out.NewUser = DefaultUserScope, g.NewUser
	out.Refresh, out.Session, err = s.NewRefreshToken(ctx, tx, out.Session, out.SessionID, out.Client, aud, now)
	return out, err
}

// IssueFor loads what signing needs for an existing session presented by a client: the user,
// their link to the client's application, the client and the application. With link set, a
// missing link is made (a silent login makes the user one of the application's users);
// without, a missing link is errNotLinked (a refresh after the user was removed from it).
func (s *Service) IssueFor(ctx context.Context, tx storage.Store, sess model.Session, clientID, aud string, link bool) (Issued, error) {
	out := Issued{Session: sess, Aud: aud}
	var err error
	if out.Client, err = issuingClient(ctx, tx, model.Caller{}, clientID); err != nil {
		return out, err
	}
	if aud != "" && aud != DefaultAudience {
		// The tokens take the resource's lifetimes; whether the client may still have the
		// resource is the caller's to check (Audience).
		res, err := tx.GetResourceByURI(ctx, sess.TenantID, aud)
		if err == nil {
			out.Client = WithResource(out.Client, &res)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return out, fault.Wrap(err, "get resource")
		}
	}
	if out.App, err = tx.GetApplication(ctx, sess.TenantID, out.Client.AppID); err != nil {
		return out, fault.Wrap(err, "get application")
	}
	var linked bool
	out.User, out.Link, linked, err = tx.GetUserAndLink(ctx, sess.TenantID, out.App.ID, sess.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return out, ErrSessionNotFound
	}
	if err != nil {
		return out, fault.Wrap(err, "get user")
	}
	if out.User.Status != model.UserActive {
		return out, fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
	}
	if !link && !linked {
		// Removed from the client's application since: its tokens stop here.
		return out, ErrNotLinked
	}
	// A session logged in to an organization keeps it: its tokens stop when the membership,
	// the organization or its use of the application does.
	if out.Org, err = s.orgLogin(ctx, tx, sess.TenantID, out.App.ID, sess.ClientAttributes.OrgID, "", sess.UserID); err != nil {
		return out, err
	}
	if link {
		caller := model.Caller{TenantID: sess.TenantID, AppID: out.App.ID, ClientID: clientID}
		if out.Link, err = EnsureLink(ctx, tx, caller, sess.UserID, out.Link, linked, true, s.Now()); err != nil {
			return out, fault.Wrap(err, "link user")
		}
	}
	return out, nil
}

// newSession starts a session and returns it with its id. The id is random and is returned
// only to the backend that logged the user in; the session is stored under its reference
// (secret.Keys.SessionRef), so that a database read yields no id to sign in with.
func (s *Service) newSession(ctx context.Context, tx storage.Store, g Grant, client model.Client, f model.Factor, now time.Time) (model.Session, string, error) {
	ttl := s.opts.SessionTTL
	if client.SessionExpiration > 0 {
		ttl = time.Duration(client.SessionExpiration) * time.Second
	}
	id := model.NewID()
	sess := model.Session{
		ID: s.keys.SessionRef(id), TenantID: g.Caller.TenantID, UserID: g.User.ID, AppID: g.Caller.AppID,
		ClientID: g.Caller.ClientID, Factors: []model.Factor{f}, ClientAttributes: g.Login.ClientAttributes,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(ttl),
	}
	// Kept sealed, for refreshes to answer with (session_id.go).
	sealed, err := s.sealSessionID(sess.TenantID, sess.ID, id)
	if err != nil {
		return sess, "", err
	}
	sess.SealedID = sealed
	if err := tx.CreateSession(ctx, sess); err != nil {
		return sess, "", fault.Wrap(err, "create session")
	}
	return sess, id, nil
}

// LoginAllowed checks, without writing, what RecordLogin would refuse a login for: a resource
// not assigned to the client, or a session to add the factor to that is not the user's active
// one. Flows whose refusals must commit (a spent ceremony) call it first.
func (s *Service) LoginAllowed(ctx context.Context, tx storage.Store, c model.Caller, userID string, login Login, now time.Time) error {
	client, err := tx.GetClient(ctx, c.ClientID)
	if err != nil {
		return fault.Wrap(err, "get client")
	}
	if _, err := s.Audience(ctx, client, login.Resource); err != nil {
		return err
	}
	if orgID := login.ClientAttributes.OrgID; orgID != "" {
		if _, err := orgs.CheckLogin(ctx, tx, c.TenantID, orgID, c.AppID, userID); err != nil {
			return err
		}
	}
	if login.SessionID == "" {
		return nil
	}
	key, ok := s.SessionKey(login.SessionID)
	if !ok {
		return ErrSessionNotFound
	}
	sess, err := tx.GetSession(ctx, c.TenantID, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return ErrSessionNotFound
	case err != nil:
		return fault.Wrap(err, "get session")
	case !s.Active(sess, now) || sess.UserID != userID:
		return ErrSessionNotFound
	}
	return nil
}

// addFactor adds a factor to an existing session of the same user and tenant (MFA).
func (s *Service) addFactor(ctx context.Context, tx storage.Store, g Grant, f model.Factor, now time.Time) (model.Session, error) {
	var out model.Session
	key, ok := s.SessionKey(g.Login.SessionID)
	if !ok {
		// Refused before the database sees it: no session has such an id.
		return out, ErrSessionNotFound
	}
	if g.CallersWord && !g.Caller.Admin {
		// A factor the application vouches for alone may strengthen its own sessions, and
		// those of its own users; another application's session of a user it merely linked
		// would otherwise pass that application's MFA on the linking application's word.
		sess, err := tx.GetSession(ctx, g.Caller.TenantID, key)
		if err == nil && sess.AppID != g.Caller.AppID {
			if err := directory.RequireOwn(ctx, tx, g.Caller, g.User.ID); err != nil {
				return out, err
			}
		}
	}
	err := tx.UpdateSession(ctx, g.Caller.TenantID, key, func(sess model.Session) (model.Session, error) {
		if !s.Active(sess, now) || sess.UserID != g.User.ID {
			return sess, ErrSessionNotFound
		}
		sess.Factors = append(append([]model.Factor(nil), sess.Factors...), f)
		sess.LastSeenAt = now
		out = sess
		return sess, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return out, ErrSessionNotFound
	}
	if err != nil && !fault.Is(err, fault.Invalid) {
		return out, fault.Wrap(err, "update session")
	}
	return out, err
}

// NewRefreshToken starts a new token family for a session and client. Every family starts
// here, in a response that carries the session's id, which the caller passes: the session is
// made to hold that id sealed if it does not yet, so that every refresh of the family (its
// successors are the session's too) can answer with the id the client was given with it.
func (s *Service) NewRefreshToken(ctx context.Context, tx storage.Store, sess model.Session, sessionID string, client model.Client, aud string, now time.Time) (string, model.Session, error) {
	sess, err := s.keepSessionID(ctx, tx, sess, sessionID)
	if err != nil {
		return "", sess, err
	}
	raw := secret.NewRefreshToken()
	id := model.NewID()
	rt := model.RefreshToken{ID: id, FamilyID: id, SessionID: sess.ID, ClientID: client.ID, Resource: aud, Scope: DefaultUserScope}
	if client.MaxRefreshRotate > 0 {
		// The family's absolute end, which no rotation moves (max_refresh_rotate).
		rt.FamilyExpiresAt = now.Add(time.Duration(client.MaxRefreshRotate) * time.Second)
	}
	return raw, sess, s.StoreRefreshToken(ctx, tx, rt, sess, client, raw, now)
}

// StoreRefreshToken fills in the session's tenant and user, the hash and the lifetimes of rt
// and stores it. client carries the lifetimes (WithResource). A refresh token never outlives
// its session, nor the end of its family when it has one: a rotation gives the new token a
// fresh refresh_token_ttl, up to that end.
func (s *Service) StoreRefreshToken(ctx context.Context, tx storage.Store, rt model.RefreshToken, sess model.Session, client model.Client, raw string, now time.Time) error {
	ttl := s.opts.RefreshTokenTTL
	if client.RefreshTokenTTL > 0 {
		ttl = time.Duration(client.RefreshTokenTTL) * time.Second
	}
	rt.TenantID, rt.UserID = sess.TenantID, sess.UserID
	rt.TokenHash = s.keys.HashRefreshToken(raw)
	rt.ExpiresAt = now.Add(ttl)
	if rt.ExpiresAt.After(sess.ExpiresAt) {
		rt.ExpiresAt = sess.ExpiresAt
	}
	if !rt.FamilyExpiresAt.IsZero() && rt.ExpiresAt.After(rt.FamilyExpiresAt) {
		rt.ExpiresAt = rt.FamilyExpiresAt
	}
	rt.CreatedAt = now
	if err := tx.CreateRefreshToken(ctx, rt); err != nil {
		return fault.Wrap(err, "create refresh token")
	}
	return nil
}

// errOrgMismatch refuses a factor added to a session of another organization (or of none):
// a session belongs to the organization its first login named.
var errOrgMismatch = fault.New(fault.Invalid, "organization_mismatch", "org_id must name the organization of the session the factor is added to")

// orgLogin checks the organization of a login to appID: orgID, the session's, which is the
// org_id its first login named. asked is the org_id of this call, which must agree with it.
// It reads the organization and the membership in one statement, and only when there is an
// organization: logins outside organizations pay nothing.
func (s *Service) orgLogin(ctx context.Context, tx storage.Store, tenantID, appID, orgID, asked, userID string) (*model.OrgLogin, error) {
	if asked != "" && asked != orgID {
		return nil, errOrgMismatch
	}
	if orgID == "" {
		return nil, nil
	}
	l, err := orgs.CheckLogin(ctx, tx, tenantID, orgID, appID, userID)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// OrgRefused reports whether err is a refusal of the organization of a login or session: the
// user is no longer an enabled member, or the organization may no longer use the application.
// A refresh meeting one is an invalid grant, as one after the user left the application.
func OrgRefused(err error) bool {
	return errors.Is(err, orgs.ErrNotMember) || errors.Is(err, orgs.ErrAppNotInOrg)
}
