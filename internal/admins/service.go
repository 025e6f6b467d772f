package admins

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/auth/session"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/roles"
	"github.com/latchkey/latchkey/internal/storage"
)

// RoleName is the role of the management application that makes its holder an administrator.
const RoleName = "admin"

// Default limits of a portal session. An administrator's session reaches every user and
// secret of the tenant, so it lives far shorter than an end user's.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
	// SetupLinkTTL is how long a first administrator's link works.
	SetupLinkTTL = 24 * time.Hour
)

// Options configure a Service; zero values take the defaults above.
type Options struct {
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// Passkeys runs the WebAuthn ceremonies of passkey sign-in; nil leaves passkeys out.
	Passkeys *passkeys.Service
	// PublicURL is where the deployment (and so the portal) is reached: the relying party of
	// the portal's passkeys when the management application names none.
	PublicURL string
}

// Service signs administrators in and out and checks their sessions.
type Service struct {
	core      *auth.Service
	store     storage.Store
	otp       *otp.Service
	passwords *passwords.Service
	totp      *totp.Service
	sessions  *session.Service
	roles     *roles.Service
	directory *directory.Service
	audit     *audit.Log
	opts      Options
}

// New returns a Service over the core of authentication and the directory, roles and audit
// services the API uses too.
func New(core *auth.Service, dir *directory.Service, rs *roles.Service, log *audit.Log, opts Options) *Service {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	return &Service{core: core, store: core.Store(), otp: otp.New(core), passwords: passwords.New(core), totp: totp.New(core), sessions: session.New(core),
		roles: rs, directory: dir, audit: log, opts: opts}
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.core.Now() }

// Options returns the limits in force.
func (s *Service) Options() Options { return s.opts }

// Admin is a signed-in administrator.
type Admin struct {
	UserID     string
	Email      string
	SessionRef string // the session's reference, as sessions lists and audit events name it
	// Caller is how the administrator's requests reach the domain services: as the tenant's
	// management application, which acts on the whole tenant.
	Caller model.Caller
	// SignedInAt is when the session began; the absolute limit runs from it.
	SignedInAt time.Time
}

var (
	// ErrNoTenant is a tenant name or id that names none.
	ErrNoTenant = fault.New(fault.NotFound, "tenant_not_found", "no tenant has that name")
	// ErrSignedOut is any session that cannot be used: unknown, ended, idle or too old.
	ErrSignedOut = fault.New(fault.Unauthenticated, "signed_out", "sign in again")
	errNotAdmin  = fault.New(fault.Forbidden, "not_an_administrator", "this account does not administer the tenant")
)

// Tenant finds a tenant by name or id.
func (s *Service) Tenant(ctx context.Context, nameOrID string) (model.Tenant, error) {
	t, err := s.store.GetTenantByName(ctx, nameOrID)
	if errors.Is(err, storage.ErrNotFound) && model.ValidID(nameOrID) {
		t, err = s.store.GetTenant(ctx, nameOrID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return t, ErrNoTenant
	}
	if err != nil {
		return t, fault.Wrap(err, "get tenant")
	}
	return t, nil
}

// ManagementCaller is the tenant's oldest management application, through its oldest client,
// as a caller: what the portal acts as on an administrator's behalf.
func (s *Service) ManagementCaller(ctx context.Context, tenantID string) (model.Caller, error) {
	apps, err := s.store.ListApplications(ctx, tenantID)
	if err != nil {
		return model.Caller{}, fault.Wrap(err, "list applications")
	}
	apps = slices.DeleteFunc(apps, func(a model.Application) bool { return a.Kind != model.AppKindManagement })
	if len(apps) == 0 {
		return model.Caller{}, fault.New(fault.NotFound, "no_management_application", "the tenant has no management application; run latchkey init")
	}
	slices.SortFunc(apps, func(a, b model.Application) int { return a.CreatedAt.Compare(b.CreatedAt) })
	clients, err := s.store.ListClients(ctx, tenantID, apps[0].ID)
	if err != nil {
		return model.Caller{}, fault.Wrap(err, "list clients")
	}
	if len(clients) == 0 {
		return model.Caller{}, fault.New(fault.NotFound, "no_management_client", "the management application has no client; run latchkey init")
	}
	slices.SortFunc(clients, func(a, b model.Client) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return model.Caller{TenantID: tenantID, AppID: apps[0].ID, ClientID: clients[0].ID, Admin: true}, nil
}

// adminRole returns the management application's admin role, creating it when create is set.
func (s *Service) adminRole(ctx context.Context, c model.Caller, create bool) (model.Role, bool, error) {
	list, err := s.roles.Roles(ctx, c, c.AppID)
	if err != nil {
		return model.Role{}, false, err
	}
	for _, r := range list {
		if r.Name == RoleName {
			return r, true, nil
		}
	}
	if !create {
		return model.Role{}, false, nil
	}
	name, display := RoleName, "Administrator"
	desc := "Signs in to the admin portal and manages the whole tenant"
	r, err := s.roles.CreateRole(ctx, c, c.AppID, roles.Input{Name: &name, DisplayName: &display, Description: &desc})
	return r, err == nil, err
}

// isAdmin reports whether the user holds the admin role of the management application.
func (s *Service) isAdmin(ctx context.Context, c model.Caller, userID string) (bool, error) {
	list, err := s.roles.UserRoles(ctx, c, c.AppID, userID)
	if err != nil {
		if fault.Is(err, fault.NotFound) {
			return false, nil
		}
		return false, err
	}
	return slices.ContainsFunc(list, func(r model.Role) bool { return r.Name == RoleName }), nil
}
