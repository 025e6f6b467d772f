package admins

import (
	"context"
	"net/url"
	"slices"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

var errNoPasskeys = fault.New(fault.Forbidden, "passkeys_unavailable", "passkeys are not available on this server")

// passkeyName labels the passkeys administrators register from the portal.
const passkeyName = "Admin portal"

// relyingParty makes sure the management application can run WebAuthn for the portal: when
// its login preferences name no relying party, it takes the host of the deployment's public
// URL and that URL's origin, where the portal is served. A relying party an operator set
// (through the applications API) is left as it is.
func (s *Service) relyingParty(ctx context.Context, c model.Caller) error {
	if s.opts.Passkeys == nil {
		return errNoPasskeys
	}
	app, err := s.store.GetApplication(ctx, c.TenantID, c.AppID)
	if err != nil {
		return fault.Wrap(err, "get application")
	}
	if app.Preferences.WebAuthn.RPID != "" {
		return nil
	}
	u, err := url.Parse(s.opts.PublicURL)
	if err != nil || u.Hostname() == "" {
		return fault.New(fault.Conflict, "no_public_url", "set the public URL (LATCHKEY_PUBLIC_URL) so that passkeys know where the portal is")
	}
	origin := u.Scheme + "://" + u.Host
	err = s.store.UpdateApplication(ctx, c.TenantID, c.AppID, func(a model.Application) (model.Application, error) {
		if a.Preferences.WebAuthn.RPID == "" {
			a.Preferences.WebAuthn.RPID = u.Hostname()
			if !slices.Contains(a.Preferences.WebAuthn.RPWebOrigins, origin) {
				a.Preferences.WebAuthn.RPWebOrigins = append(a.Preferences.WebAuthn.RPWebOrigins, origin)
			}
			a.UpdatedAt = s.core.Now()
		}
		return a, nil
	})
	if err != nil {
		return fault.Wrap(err, "set relying party")
	}
	return nil
}

// PasskeyCeremony is a started WebAuthn ceremony: its id and the options for the browser.
type PasskeyCeremony = passkeys.PasskeyCeremony

// StartPasskey begins registering a passkey for the administrator (the management
// application's passkey registration, with its limits and policy).
func (s *Service) StartPasskey(ctx context.Context, a Admin) (PasskeyCeremony, error) {
	if err := s.relyingParty(ctx, a.Caller); err != nil {
		return PasskeyCeremony{}, err
	}
	return s.opts.Passkeys.StartExternalRegistration(ctx, a.Caller, passkeys.PasskeyRegistrationStart{UserID: a.UserID})
}

// FinishPasskey stores the passkey the browser created, when the ceremony was the
// administrator's own.
func (s *Service) FinishPasskey(ctx context.Context, a Admin, encodedResult string, attrs model.ClientAttributes) error {
	if s.opts.Passkeys == nil {
		return errNoPasskeys
	}
	reg, err := s.opts.Passkeys.FinishExternalRegistration(ctx, a.Caller, passkeys.PasskeyRegistration{EncodedResult: encodedResult,
		Name: passkeyName, ClientAttributes: attrs})
	if err != nil {
		return err
	}
	if reg.UserID != a.UserID {
		// A ceremony started for another user of the management application: not this one's.
		return fault.New(fault.Forbidden, "not_your_passkey", "this passkey registration was not started by you")
	}
	return s.Record(ctx, a, "account.add_passkey", a.UserID, attrs, map[string]any{"credential_id": reg.CredentialID})
}

// StartPasskeySignIn begins a sign-in with a discoverable passkey: the authenticator names the
// administrator. The start is the public one, counted against the browser's address.
func (s *Service) StartPasskeySignIn(ctx context.Context, tenantID string, attrs model.ClientAttributes) (PasskeyCeremony, error) {
	if err := s.offers(ctx, tenantID, model.AdminSignInPasskey); err != nil {
		return PasskeyCeremony{}, err
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if err := s.relyingParty(ctx, c); err != nil {
		return PasskeyCeremony{}, err
	}
	return s.opts.Passkeys.StartLogin(ctx, passkeys.PasskeyLoginStart{ClientID: c.ClientID, IPAddress: attrs.IPAddress,
		ClientAttributes: attrs})
}

// PasskeySignIn finishes a passkey sign-in (the management application's passkey login, with
// its lockouts and audit events) and makes its session the portal session, as SignIn does.
func (s *Service) PasskeySignIn(ctx context.Context, tenantID, encodedResult string, attrs model.ClientAttributes) (Admin, string, error) {
	if err := s.offers(ctx, tenantID, model.AdminSignInPasskey); err != nil {
		return Admin{}, "", err
	}
	if s.opts.Passkeys == nil {
		return Admin{}, "", errNoPasskeys
	}
	c, err := s.ManagementCaller(ctx, tenantID)
	if err != nil {
		return Admin{}, "", err
	}
	tr, err := s.opts.Passkeys.Authenticate(ctx, c, passkeys.PasskeyAuthenticate{EncodedResult: encodedResult,
		Login: auth.Login{ClientAttributes: attrs}})
	if err != nil {
		return Admin{}, "", err
	}
	return s.finishSignIn(ctx, c, tr.SessionID)
}
