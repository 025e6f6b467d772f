package auth

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/latchkey/latchkey/internal/delivery"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/observe"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// Signer signs and verifies JWTs with the tenant's keys (package token implements it).
type Signer interface {
	SignTyped(ctx context.Context, tenantID, typ string, claims any) (string, error)
	// VerifyBearer checks a token of any tenant, as token.Manager's Verify does, for a
	// credential presented on many requests; it may remember that a token's signature was good
	// (token.Manager does).
	VerifyBearer(ctx context.Context, raw string, dest any) error
	// VerifyIntrospected is VerifyBearer for tokens presented to introspection.
	VerifyIntrospected(ctx context.Context, raw string, dest any) error
}

// ClientAuthenticator checks a client's secret (package tenancy implements it).
type ClientAuthenticator interface {
	AuthenticateClient(ctx context.Context, clientID, secret string) (model.Client, model.Application, error)
}

// Options are the service's settings; zero values take the defaults below.
type Options struct {
	Issuer          string
	Now             func() time.Time
	AccessTokenTTL  time.Duration // user and client access tokens
	IDTokenTTL      time.Duration
	RefreshTokenTTL time.Duration
	// SessionTTL is the most a session can last, however often it is extended, when the
	// client sets no session_expiration.
	SessionTTL time.Duration
	// SessionIdleTimeout ends a session in which no tokens were issued (a login, a refresh or
	// a silent authentication) for this long: Mosaic's backend sessions last two weeks and are
	// extended each time tokens are issued.
	SessionIdleTimeout time.Duration
	// RefreshGrace is how long after a refresh token's rotation a second presentation of it
	// is taken for a concurrent refresh (and answered with the same successor) rather than
	// for a stolen token's reuse.
	RefreshGrace time.Duration
	// NotifyOutbox is called after a transaction that queued a message commits, so that the
	// delivery worker wakes at once instead of at its next poll.
	NotifyOutbox func()
	// Audit records authentication events; nil records nothing.
	Audit Auditor
	// AnswerGrid is the time grid on which answers that enumeration protection makes alike
	// are released (see DefaultAnswerGrid); 0 takes the default.
	AnswerGrid time.Duration
	// Texts are the wording of messages in each language; nil uses the built-in catalogs.
	Texts *delivery.Texts
	// SMSDisabled refuses the sms channel with external_provider_configuration_error, for a
	// deployment that has no SMS provider.
	SMSDisabled bool
	// Tracer starts a span for each pipeline step (nil: tracing off); Recorder counts login
	// outcomes and lockouts (nil: nothing counts them).
	Tracer   observe.Tracer
	Recorder Recorder
}

// Defaults, following Mosaic's documented lifetimes where it has them.
const (
	DefaultAccessTokenTTL  = time.Hour
	DefaultIDTokenTTL      = time.Hour
	DefaultRefreshTokenTTL = 14 * 24 * time.Hour
	// A session lasts two weeks from the last tokens issued in it, as Mosaic's do. Mosaic
	// documents no ceiling; Latchkey keeps one, a year (the longest session_expiration a
	// client may set).
	DefaultIdleTimeout  = 14 * 24 * time.Hour
	DefaultSessionTTL   = 365 * 24 * time.Hour
	DefaultRefreshGrace = 10 * time.Second
	// DefaultAudience is the audience of access tokens issued without a resource; it is also
	// the audience an API caller's token must carry. Mosaic uses the same value.
	DefaultAudience = "userid-api"
)

// Service implements authentication flows.
type Service struct {
	store  storage.Store
	signer Signer
	keys   *secret.Keys
	// standIns are the users whose reads stand in for those of a user nobody is.
	standIns standInUsers
	clients  ClientAuthenticator
	opts     Options
	// heldAnswers counts the answers held to AnswerGrid.
	heldAnswers atomic.Int64
}

// New returns a Service.
func New(store storage.Store, signer Signer, keys *secret.Keys, clients ClientAuthenticator, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Texts == nil {
		opts.Texts = delivery.BuiltinTexts()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.AccessTokenTTL, DefaultAccessTokenTTL)
	def(&opts.IDTokenTTL, DefaultIDTokenTTL)
	def(&opts.RefreshTokenTTL, DefaultRefreshTokenTTL)
	def(&opts.SessionTTL, DefaultSessionTTL)
	def(&opts.SessionIdleTimeout, DefaultIdleTimeout)
	def(&opts.RefreshGrace, DefaultRefreshGrace)
	def(&opts.AnswerGrid, DefaultAnswerGrid)
	if opts.NotifyOutbox == nil {
		opts.NotifyOutbox = func() {}
	}
	return &Service{store: store, signer: signer, keys: keys, clients: clients, opts: opts}
}

func (s *Service) Now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// Active reports whether a session can still be used at now: not revoked, not past its
// absolute lifetime, and used within the idle timeout.
func (s *Service) Active(sess model.Session, now time.Time) bool {
	return s.Live(sess.Life(), now)
}

// Live is Active for a session read without its factors and attributes.
func (s *Service) Live(l model.SessionLife, now time.Time) bool {
	return l.Active(now) && now.Sub(l.LastSeenAt) < s.opts.SessionIdleTimeout
}

// SessionExpiry is when a session ends unless tokens are issued in it before: the idle
// timeout after it was last used, or its absolute end if that comes first.
func (s *Service) SessionExpiry(sess model.Session) time.Time {
	if idle := sess.LastSeenAt.Add(s.opts.SessionIdleTimeout); idle.Before(sess.ExpiresAt) {
		return idle
	}
	return sess.ExpiresAt
}

// Store is the storage the service and its login methods work through.
func (s *Service) Store() storage.Store { return s.store }

// Keys are the deployment's keys: the hashes of codes and the seals of secrets.
func (s *Service) Keys() *secret.Keys { return s.keys }

// Options are the service's options, defaults filled in.
func (s *Service) Options() Options { return s.opts }

// Signer signs and verifies the service's tokens.
func (s *Service) Signer() Signer { return s.signer }

// Clients authenticates clients by id and secret.
func (s *Service) Clients() ClientAuthenticator { return s.clients }
