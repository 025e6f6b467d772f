package admins

import (
	"context"
	"errors"
	"slices"

	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Methods are the sign-in methods the portal can offer, in the order its pages show them.
var Methods = []string{model.AdminSignInPasskey, model.AdminSignInPasswordAndTOTP, model.AdminSignInEmailCode}

// DefaultMethods are what a tenant that chose none offers: every method; an administrator
// signs in with whichever they have set up.
var DefaultMethods = Methods

var errMethodOff = fault.New(fault.Forbidden, "signin_method_not_offered", "this tenant's admin portal does not offer this way of signing in")

// SignInMethods returns the methods the tenant's portal offers.
func (s *Service) SignInMethods(ctx context.Context, tenantID string) ([]string, error) {
	st, err := s.store.GetAdminSettings(ctx, tenantID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && len(st.SignInMethods) == 0) {
		return slices.Clone(DefaultMethods), nil
	}
	if err != nil {
		return nil, fault.Wrap(err, "get admin settings")
	}
	return st.SignInMethods, nil
}

// offers fails with a Forbidden fault unless the tenant offers method.
func (s *Service) offers(ctx context.Context, tenantID, method string) error {
	list, err := s.SignInMethods(ctx, tenantID)
	if err != nil {
		return err
	}
	if !slices.Contains(list, method) {
		return errMethodOff
	}
	return nil
}

// SetSignInMethods chooses the methods the tenant's portal offers. At least one is needed, and
// the administrator making the change must have set up one of them, so that the change cannot
// lock every administrator out: an email code needs nothing, a passkey needs one of theirs,
// password and TOTP need both. Sessions begun by a method no longer offered end at their next
// request.
func (s *Service) SetSignInMethods(ctx context.Context, a Admin, methods []string, attrs model.ClientAttributes) error {
	var chosen []string
	for _, m := range Methods {
		if slices.Contains(methods, m) {
			chosen = append(chosen, m)
		}
	}
	for _, m := range methods {
		if !slices.Contains(Methods, m) {
			return fault.Validation("unknown sign-in method " + m)
		}
	}
	if len(chosen) == 0 {
		return fault.Validation("choose at least one way of signing in")
	}
	usable := false
	for _, m := range chosen {
		ok, err := s.hasMethod(ctx, a, m)
		if err != nil {
			return err
		}
		usable = usable || ok
	}
	if !usable {
		return fault.Validation("set up one of the chosen ways of signing in on your account page first, so that you can still sign in")
	}
	if err := s.store.PutAdminSettings(ctx, model.AdminSettings{TenantID: a.Caller.TenantID, SignInMethods: chosen, UpdatedAt: s.core.Now()}); err != nil {
		return fault.Wrap(err, "put admin settings")
	}
	return s.Record(ctx, a, "admin_settings.update", "", attrs, map[string]any{"signin_methods": chosen})
}

// hasMethod reports whether the administrator has set up what method needs.
func (s *Service) hasMethod(ctx context.Context, a Admin, method string) (bool, error) {
	has := func(typ string, confirmed bool) (bool, error) {
		creds, err := s.store.ListCredentials(ctx, a.Caller.TenantID, a.UserID, typ)
		if err != nil {
			return false, fault.Wrap(err, "list credentials")
		}
		if !confirmed {
			return len(creds) > 0, nil
		}
		list, err := s.totp.ListTOTP(ctx, a.Caller, a.UserID)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(list, func(c totp.TOTPCredential) bool { return c.Confirmed }), nil
	}
	switch method {
	case model.AdminSignInEmailCode:
		return true, nil
	case model.AdminSignInPasskey:
		return has(model.CredentialWebAuthn, false)
	case model.AdminSignInPasswordAndTOTP:
		ok, err := has(model.CredentialPassword, false)
		if err != nil || !ok {
			return false, err
		}
		return has(model.CredentialTOTP, true)
	}
	return false, nil
}

// satisfies reports whether a session's factors make a sign-in by one of the offered methods:
// a session that proved only a password (the first step of password and TOTP) is never a
// portal session.
func satisfies(factors []model.Factor, offered []string) bool {
	had := func(m string) bool {
		return slices.ContainsFunc(factors, func(f model.Factor) bool { return f.Method == m })
	}
	for _, m := range offered {
		switch {
		// An invitation's emailed link proves the address as a code sent to it does.
		case m == model.AdminSignInEmailCode && (had(model.AMREmailOTP) || had(model.AMRMagicLink)),
			m == model.AdminSignInPasskey && had(model.AMRWebAuthn),
			m == model.AdminSignInPasswordAndTOTP && had(model.AMRPassword) && had(model.AMRTOTP):
			return true
		}
	}
	return false
}
