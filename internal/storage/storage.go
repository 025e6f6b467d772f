package storage

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// Sentinel errors. Backends wrap them (errors.Is works) and never return (nil, nil) for a
// missing record.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict reports that a compare-and-swap lost: the record changed under the caller.
	ErrConflict = errors.New("conflict")
)

// DuplicateError reports which unique field a create or update collided on. It matches
// ErrAlreadyExists with errors.Is.
type DuplicateError struct {
	Field string // e.g. "email", "username", "phone_number", "external_user_id", "name", "uri"
}

func (e *DuplicateError) Error() string { return e.Field + " already exists" }

// Is makes errors.Is(err, ErrAlreadyExists) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrAlreadyExists }

// Store is Latchkey's storage. Every method is safe for concurrent use.
//
// Contracts that hold for every backend, and that the conformance suite checks:
//   - Get methods return an error wrapping ErrNotFound for a missing record, and never a record
//     of another tenant than the one asked for.
//   - Create methods return an error wrapping ErrAlreadyExists (a *DuplicateError where the
//     colliding field is known) on a unique collision, and store nothing.
//   - Update methods read the record, call the updater, and write its result atomically: no
//     other update of the same record interleaves. The updater may be called more than once
//     and must not have side effects; an error from it aborts the update and is returned as is.
//   - Delete methods MUST be atomic and return ErrNotFound when nothing was deleted.
//   - Times are stored with at least millisecond precision and returned in UTC.
type Store interface {
	// InTx runs fn with a Store whose calls all belong to one transaction, committed when fn
	// returns nil and rolled back otherwise. Calls to InTx inside fn run in the same
	// transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	Tenants
	Applications
	Clients
	Resources
	SigningKeys
	Users
	Codes
	Sessions
	RefreshTokens
	Outbox
	Counters
	Audit
	Activity
	Credentials
	UserDetails
	Sealed
	CrossDevice
	Roles
	RoleGroups
	ClientRoles
	OrgAppRoles
	OrgLogos
	Groups
	Organizations
	AdminPortal

	// GarbageCollect deletes what has ended before now: codes expired (a spent code is kept
	// until it would have expired), cross-device tickets past their KeepUntil, sessions
	// expired or revoked with their refresh tokens, expired refresh tokens, ended lockouts,
	// counters whose window has ended, and audit events created before p.AuditBefore (none
	// when it is zero). Rotated tokens of a live session stay until they expire, so that their
	// reuse is still recognised. It deletes in transactions of at most p.Batch rows of each
	// table, so that a backlog never holds the writer for long. Outbox messages are collected
	// by CollectMessages after their retention. It returns how many records it removed.
	GarbageCollect(ctx context.Context, now time.Time, p GCPolicy) (int64, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// GCPolicy says what GarbageCollect collects beyond the records that have ended, and how.
type GCPolicy struct {
	// AuditBefore is the retention's cut-off: audit events created before it are deleted.
	// The zero time keeps the whole audit log.
	AuditBefore time.Time
	// Batch is the most rows one transaction deletes; zero means DefaultGCBatch.
	Batch int
}

// DefaultGCBatch is the rows per garbage-collection transaction: a few milliseconds of
// deletes, with indexes, on either engine.
const DefaultGCBatch = 500

// Tenants stores tenants.
type Tenants interface {
	CreateTenant(ctx context.Context, t model.Tenant) error
	GetTenant(ctx context.Context, id string) (model.Tenant, error)
	GetTenantByName(ctx context.Context, name string) (model.Tenant, error)
	ListTenants(ctx context.Context) ([]model.Tenant, error)
	UpdateTenant(ctx context.Context, id string, updater func(model.Tenant) (model.Tenant, error)) error
}

// Applications stores applications. Deleting one deletes its clients and user links.
type Applications interface {
	CreateApplication(ctx context.Context, a model.Application) error
	GetApplication(ctx context.Context, tenantID, id string) (model.Application, error)
	ListApplications(ctx context.Context, tenantID string) ([]model.Application, error)
	UpdateApplication(ctx context.Context, tenantID, id string, updater func(model.Application) (model.Application, error)) error
	DeleteApplication(ctx context.Context, tenantID, id string) error
}

// Resources stores resources; URIs are unique within a tenant.
type Resources interface {
	CreateResource(ctx context.Context, r model.Resource) error
	GetResource(ctx context.Context, tenantID, id string) (model.Resource, error)
	GetResourceByURI(ctx context.Context, tenantID, uri string) (model.Resource, error)
	ListResources(ctx context.Context, tenantID string) ([]model.Resource, error)
	UpdateResource(ctx context.Context, tenantID, id string, updater func(model.Resource) (model.Resource, error)) error
	DeleteResource(ctx context.Context, tenantID, id string) error
}

// SigningKeys stores token-signing keys. A key's TenantID names its owner: a tenant, or a
// value that is no tenant's id for keys shared by the whole deployment (see package token).
type SigningKeys interface {
	CreateSigningKey(ctx context.Context, k model.SigningKey) error
	// ListSigningKeys returns the owner's keys, oldest first.
	ListSigningKeys(ctx context.Context, tenantID string) ([]model.SigningKey, error)
	// ListAllSigningKeys returns every stored key of every owner, oldest first. A node
	// loads its whole key set with it in one read.
	ListAllSigningKeys(ctx context.Context) ([]model.SigningKey, error)
	UpdateSigningKey(ctx context.Context, tenantID, id string, updater func(model.SigningKey) (model.SigningKey, error)) error
	DeleteSigningKey(ctx context.Context, tenantID, id string) error
}

// User lookup fields for GetUserBy.
const (
	UserByEmail          = "email"
	UserByPhone          = "phone_number"
	UserByUsername       = "username"
	UserByExternalUserID = "external_user_id"
	// UserByID is accepted by LookupUser only; it is model.IdentifierUserID, so that an
	// identifier type can name the field.
	UserByID = "user_id"
)

// Users stores users and their links to applications. Email, phone number, username and
// external user id are each unique within a tenant when not empty; an empty value matches no
// user.
type Users interface {
	CreateUser(ctx context.Context, u model.User) error
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
	// GetUserBy finds a user by one of the UserBy* fields; value must already be normalised.
	GetUserBy(ctx context.Context, tenantID, field, value string) (model.User, error)
	// LookupUser finds a user by a UserBy* field (UserByID included) as GetUserBy does, in
	// one statement that, when nobody matches, reads and decodes the row of the user standIn
	// instead, discards it and returns ErrNotFound. A miss then costs what a hit costs:
	// enumeration protection needs the lookup of a name that is nobody's to take as long as
	// a real user's. It never returns the stand-in.
	LookupUser(ctx context.Context, tenantID, field, value, standIn string) (model.User, error)
	// ListUsers returns one page of the users matching q, in q's order (by creation time by
	// default; users without the value last either way; ties by id in the same direction), and
	// the number of all matching users. A Limit of zero means 100 and one above 5000 means
	// 5000. A filter the store cannot run (an unknown attribute, a value of the wrong type)
	// is an error; callers check filters first. q.After starts the page after a user's place
	// in the order instead of at q.Offset. The total of a query without filter or prefix is
	// kept, not counted; with one it stops at q.CountUpTo when that is set. The first page,
	// a page after a place, and a search of email, phone number, username, external user id
	// or id by eq or sw cost the same however many users the tenant has.
	ListUsers(ctx context.Context, q model.UserQuery) ([]model.User, int, error)
	// CountUsers returns how many users q matches, as ListUsers' total.
	CountUsers(ctx context.Context, q model.UserQuery) (int, error)
	UpdateUser(ctx context.Context, tenantID, id string, updater func(model.User) (model.User, error)) error
	// MarkLogin records a login at at in one statement: it sets the user's LastAuthAt and, when
	// asked, sets EmailVerifiedAt or PhoneVerifiedAt to at where they are not set yet. Nothing
	// else changes (UpdatedAt neither). It returns ErrNotFound for a missing user.
	MarkLogin(ctx context.Context, tenantID, id string, at time.Time, verifyEmail, verifyPhone bool) error
	// DeleteUser deletes the user with their application links, sessions, refresh tokens and
	// credentials.
	DeleteUser(ctx context.Context, tenantID, id string) error

	// LinkUser links a user to an application; linking an already linked user is not an
	// error and leaves the existing link as it is.
	LinkUser(ctx context.Context, l model.AppUser) error
	GetAppUser(ctx context.Context, tenantID, appID, userID string) (model.AppUser, error)
	// ListAppUsers returns the links to an application of those of userIDs that have one, in
	// no particular order, reading them in batches rather than one by one.
	ListAppUsers(ctx context.Context, tenantID, appID string, userIDs []string) ([]model.AppUser, error)
	// GetUserAndLink reads a user and their link to an application in one statement: linked
	// is false, and link zero, when they are not linked. A missing user is ErrNotFound.
	GetUserAndLink(ctx context.Context, tenantID, appID, userID string) (u model.User, link model.AppUser, linked bool, err error)
	UpdateAppUser(ctx context.Context, tenantID, appID, userID string, updater func(model.AppUser) (model.AppUser, error)) error
	UnlinkUser(ctx context.Context, tenantID, appID, userID string) error
}

// Codes stores one-time codes and lockouts.
type Codes interface {
	CreateCode(ctx context.Context, c model.OneTimeCode) error
	GetCode(ctx context.Context, tenantID, id string) (model.OneTimeCode, error)
	// LatestCode returns the newest unspent code of an application for one purpose and
	// identifier (expired or not), or ErrNotFound.
	LatestCode(ctx context.Context, tenantID, appID, purpose, identifier string) (model.OneTimeCode, error)
	// SpendCodes marks every unspent code of the application for that purpose and identifier
	// as consumed at now, so that a new send invalidates earlier codes. It returns how many.
	SpendCodes(ctx context.Context, tenantID, appID, purpose, identifier string, now time.Time) (int64, error)
	UpdateCode(ctx context.Context, tenantID, id string, updater func(model.OneTimeCode) (model.OneTimeCode, error)) error
	// ConsumeCode marks one unspent code as consumed at now, in one statement, and reports
	// whether it did: of concurrent calls for one code, exactly one gets true. A missing or
	// already spent code gives false.
	ConsumeCode(ctx context.Context, tenantID, id string, now time.Time) (bool, error)
	// FailCode counts one wrong guess against an unspent code in one statement, spending it
	// at now when that makes its failures reach its maximum, and returns the new count, the
	// maximum and ok; ok is false (nothing changed) when the code is spent or missing.
	FailCode(ctx context.Context, tenantID, id string, now time.Time) (failures, maxFailures int, ok bool, err error)
	// CodeAttempt reads in one statement what an attempt at a code needs before it checks
	// the code: the code LatestCode would return, the lockout in force, whether the
	// attempt's failure counter holds failures, and the code's user with their link to the
	// application (see CodeAttemptQuery and CodeAttempt).
	CodeAttempt(ctx context.Context, q CodeAttemptQuery) (CodeAttempt, error)
	// CodeWithUser returns the tenant's code of that id, spent or not, with its user and their
	// link to appID (see CodeUser), in one statement; ErrNotFound when there is no such code.
	CodeWithUser(ctx context.Context, tenantID, appID, id string) (model.OneTimeCode, CodeUser, error)

	// GetLockout returns the lockout of key, or ErrNotFound; expired lockouts are returned too
	// and callers compare Until with the time.
	GetLockout(ctx context.Context, tenantID, appID, key string) (model.Lockout, error)
	// ActiveLockout returns, of the lockouts of keys, the one in force at now (Until after now)
	// that ends last, or ErrNotFound when none is: one read where a flow checks several keys.
	ActiveLockout(ctx context.Context, tenantID, appID string, now time.Time, keys ...string) (model.Lockout, error)
	// PutLockout creates or replaces a lockout.
	PutLockout(ctx context.Context, l model.Lockout) error
	DeleteLockout(ctx context.Context, tenantID, appID, key string) error
}

// Sessions stores backend sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s model.Session) error
	GetSession(ctx context.Context, tenantID, id string) (model.Session, error)
	// GetSessionLife is GetSession without the session's factors and attributes, for
	// checks that a session has not ended (introspection reads one per call).
	GetSessionLife(ctx context.Context, tenantID, id string) (model.SessionLife, error)
	// GetSessionLifeAndClientStamp is GetSessionLife and ClientStamp in one statement, which
	// is what introspecting a user's access token needs of the database. It returns ErrNotFound
	// when there is no such client; found is false when the tenant has no such session.
	GetSessionLifeAndClientStamp(ctx context.Context, tenantID, sessionID, clientID string) (life model.SessionLife, found bool, stamp int64, err error)
	// ListSessions returns a user's sessions, newest first, ended ones included.
	ListSessions(ctx context.Context, tenantID, userID string) ([]model.Session, error)
	UpdateSession(ctx context.Context, tenantID, id string, updater func(model.Session) (model.Session, error)) error
	// TouchSession sets LastSeenAt to now, in one statement, on a session that is active: not
	// revoked, expiring after now, and last seen after idleSince. It returns the session as
	// updated, or ErrNotFound when there is no such session.
	TouchSession(ctx context.Context, tenantID, id string, now, idleSince time.Time) (model.Session, error)
}

// RefreshTokens stores refresh tokens by keyed hash.
type RefreshTokens interface {
	CreateRefreshToken(ctx context.Context, t model.RefreshToken) error
	// GetRefreshTokenByHash finds a token by its hash, whatever its tenant: the hash is the
	// only thing a presenter has.
	GetRefreshTokenByHash(ctx context.Context, hash []byte) (model.RefreshToken, error)
	UpdateRefreshToken(ctx context.Context, tenantID, id string, updater func(model.RefreshToken) (model.RefreshToken, error)) error
	// RotateRefreshToken finds the token with this hash, if it is live (not rotated, not
	// revoked, expiring after now) and was issued to clientID of tenantID, marks it rotated at
	// now and replaced by replacedBy, and returns it as it now is: a lookup and a
	// compare-and-swap in one statement. When no such token exists it changes nothing and
	// returns storage.ErrNotFound; of concurrent calls for one token, exactly one succeeds.
	RotateRefreshToken(ctx context.Context, tenantID, clientID string, hash []byte, replacedBy string, now time.Time) (model.RefreshToken, error)
	// RevokeRefreshTokens revokes, at now, every unrevoked token of a session, or only those of
	// one of its families when familyID is set too, and returns how many. sessionID is
	// required: a family is always under one session, and is found through it.
	RevokeRefreshTokens(ctx context.Context, tenantID, familyID, sessionID string, now time.Time) (int64, error)
}

// Outbox stores messages waiting for delivery.
type Outbox interface {
	EnqueueMessage(ctx context.Context, m model.OutboxMessage) error
	// LeaseMessages atomically claims up to limit undelivered messages that are due at now
	// and not leased by another worker, leasing them until leaseUntil. Two workers never
	// hold the same message at once.
	// When kinds are given, only messages of those kinds are claimed, so that one kind's slow
	// deliveries (tenants' webhooks) never hold up another's (sign-in codes).
	LeaseMessages(ctx context.Context, now, leaseUntil time.Time, limit int, kinds ...string) ([]model.OutboxMessage, error)
	// ExtendLeases moves to until the lease of each message of ids that is undelivered and
	// still leased until held, and returns how many it moved. held works as the lease's
	// token: a worker extends only the leases it took (a lapsed lease that another worker has
	// since taken ends at another time), and hands unattempted messages back with until at
	// now, without counting an attempt.
	ExtendLeases(ctx context.Context, ids []string, held, until time.Time) (int64, error)
	// MarkDelivered records a delivery and ends the lease.
	MarkDelivered(ctx context.Context, id string, at time.Time) error
	// MarkFailed records a failed attempt, ends the lease, and makes the message due again at
	// next.
	MarkFailed(ctx context.Context, id string, lastError string, next time.Time) error
	GetMessage(ctx context.Context, id string) (model.OutboxMessage, error)
	// ListMessages returns messages created at or after since, oldest first, for the
	// development outbox and tests.
	ListMessages(ctx context.Context, tenantID string, since time.Time, limit int) ([]model.OutboxMessage, error)
	// DropMessages finishes, without delivering them, the tenant's messages of one kind that
	// are still owed (undelivered and not given up): each is given lastError and NextAttemptAt
	// NeverDue, so that no worker leases it again. It returns how many.
	DropMessages(ctx context.Context, tenantID, kind, lastError string) (int64, error)
	// CollectMessages deletes up to limit finished messages: delivered before before, or given
	// up (NextAttemptAt at or after NeverDue) and created before before. Messages still owed
	// are never deleted. It returns how many it deleted; callers repeat it while that is limit,
	// so that each statement stays short.
	CollectMessages(ctx context.Context, before time.Time, limit int) (int64, error)
}

// NeverDue is the NextAttemptAt of a message that will never be tried again (abandoned,
// permanently failed or dropped): late enough never to come due, and still representable as
// Unix milliseconds.
var NeverDue = time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)

// Kinds of SealedValue.
const (
	SealedSigningKey    = "signing_key"    // a signing key's private part
	SealedTOTP          = "totp"           // a TOTP credential's key
	SealedWebhookSecret = "webhook_secret" // a tenant's audit webhook secret
	SealedMessage       = "message"        // an outbox message's body
	SealedCheck         = "check"          // a check value that proves the master key
	SealedSessionID     = "session_id"     // a session's id, which a refresh answers with
)

// SealedValue is one value stored sealed under the master key, with what its seal is bound to.
type SealedValue struct {
	Kind     string // one of the Sealed* kinds
	TenantID string // empty for a check value
	ID       string // the record's id; a check value's name
	// MessageKind and To are an outbox message's kind and recipient, which its seal binds.
	MessageKind, To string
	Value           []byte
}

// Sealed stores the check values that prove a master key, and rewrites every sealed value
// when the master key changes.
type Sealed interface {
	// GetSealedCheck returns the sealed check value of that name, or ErrNotFound.
	GetSealedCheck(ctx context.Context, name string) ([]byte, error)
	// CreateSealedCheck stores a check value; ErrAlreadyExists when the name is taken.
	CreateSealedCheck(ctx context.Context, name string, sealed []byte, at time.Time) error
	// ResealAll calls reseal for every sealed value the store holds (every Sealed* kind) and
	// stores what it returns, in one transaction: an error from reseal rolls every change
	// back and is returned as is. It returns how many values it rewrote.
	ResealAll(ctx context.Context, reseal func(SealedValue) ([]byte, error)) (int, error)
}

// Counters stores fixed-window counters for rate limits. They live in the database so that
// every node counts against the same limit.
type Counters interface {
	// CountHit adds one to the counter named key and returns the new count and the end of its
	// window. A counter whose window has ended at now (its end is at or before now) starts
	// again at one, with a window ending at windowEnd; a live counter keeps its window end.
	// windowEnd must be after now. key may be any string. Concurrent hits are never lost.
	CountHit(ctx context.Context, key string, now, windowEnd time.Time) (count int64, resetAt time.Time, err error)
	// ResetCounter deletes a counter; resetting a missing one is not an error.
	ResetCounter(ctx context.Context, key string) error
	// LockKey, called in a transaction, makes every other transaction that locks the same key
	// wait until this one ends, so that an attempt that reads a lockout, checks a secret and
	// counts a failure cannot interleave with another attempt on the same key. Stores whose
	// write transactions never overlap (SQLite's) need do nothing.
	LockKey(ctx context.Context, key string) error
}

// Audit stores the audit log. Events are never changed once appended.
type Audit interface {
	AppendAudit(ctx context.Context, e model.AuditEvent) error
	// ListAudit returns one page of the events matching q, newest first (ties by insertion
	// order, newest first), and the number of all matching events. q.TenantID is required; a
	// Limit of zero means 100 and a larger one than 1000 means 1000. q.After starts the page
	// after an event instead of at q.Offset; q.CountUpTo bounds the total.
	ListAudit(ctx context.Context, q model.AuditQuery) ([]model.AuditEvent, int, error)
}
