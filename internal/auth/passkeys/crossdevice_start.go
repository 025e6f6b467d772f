package passkeys

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// StartCrossDeviceLogin opens the login ceremony of a cross-device login on the
// authenticating device and returns the request options for navigator.credentials.get. It is
// the login start of the ticket's application, for the username the flow was begun with (or a
// discoverable passkey), answered as a public start is: a name that is nobody's gets a decoy.
// ip is the device's address, counted as the start's.
func (p *Service) StartCrossDeviceLogin(ctx context.Context, ticket, ip string) (PasskeyCeremony, error) {
	t, err := p.openTicket(ctx, ticket, model.CrossDeviceAuthenticate)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	cer, err := p.startLogin(ctx, PasskeyLoginStart{
		ClientID: t.ClientID, Username: t.Username, ApprovalData: t.ApprovalData, IPAddress: ip,
	}, t.ID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return cer, p.claimTicket(ctx, t, cer.SessionID)
}

// StartCrossDeviceRegistration opens the registration ceremony of a cross-device
// registration on the authenticating device and returns the creation options for
// navigator.credentials.create. The ceremony is the one the flow's beginner would have started
// itself: a logged-in user's, finished with that user's access token, or a backend's for the
// user it named, finished with one of that application's client tokens.
func (p *Service) StartCrossDeviceRegistration(ctx context.Context, ticket string) (PasskeyCeremony, error) {
	t, err := p.openTicket(ctx, ticket, model.CrossDeviceRegister, model.CrossDeviceExternalRegister)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	c := model.Caller{TenantID: t.TenantID, AppID: t.AppID, ClientID: t.ClientID, Admin: t.Admin}
	var r registrant
	flow := flowExternal
	if t.Flow == model.CrossDeviceRegister {
		flow = flowSelf
		r.user, err = p.store.GetUser(ctx, t.TenantID, t.UserID)
		if errors.Is(err, storage.ErrNotFound) {
			return PasskeyCeremony{}, errPasskeyUserGone
		} else if err != nil {
			return PasskeyCeremony{}, fault.Wrap(err, "get user")
		}
		if _, err := directory.AllowCredential(ctx, p.store, c, r.user.ID, directory.ByCaller); err != nil {
			return PasskeyCeremony{}, err
		}
	} else if r, err = p.externalRegistrant(ctx, c, t.UserID, t.ExternalUserID); err != nil {
		return PasskeyCeremony{}, err
	}
	cer, err := p.startRegistration(ctx, c, r, flow, PasskeyRegistrationStart{Username: t.Username}, t.ID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	cer.Origins = p.ticketOrigins(ctx, t)
	return cer, p.claimTicket(ctx, t, cer.SessionID)
}

// openTicket returns the ticket a start names, which must be of one of the given kinds, still
// open, and not have started a ceremony yet.
func (p *Service) openTicket(ctx context.Context, ticket string, flows ...string) (model.CrossDeviceTicket, error) {
	t, err := p.findTicket(ctx, ticket)
	if err != nil {
		return t, err
	}
	now := p.s.Now()
	kind := false
	for _, f := range flows {
		kind = kind || t.Flow == f
	}
	switch {
	case !kind:
		return t, errTicketKind
	case t.Ended(now):
		return t, errTicketEnded(t.StatusAt(now))
	case t.CeremonyID != "":
		return t, errTicketStarted
	}
	return t, nil
}

// claimTicket records the ceremony a start opened as the ticket's one. Of concurrent starts
// one wins; the others' ceremonies are left unclaimed, and their finishes refused (see
// holdTicket).
func (p *Service) claimTicket(ctx context.Context, t model.CrossDeviceTicket, ceremonyID string) error {
	now := p.s.Now()
	err := p.store.UpdateCrossDeviceTicket(ctx, t.TenantID, t.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		switch {
		case cur.Ended(now):
			return cur, errTicketEnded(cur.StatusAt(now))
		case cur.CeremonyID != "":
			return cur, errTicketStarted
		}
		cur.CeremonyID, cur.Status, cur.UpdatedAt = ceremonyID, model.CrossDeviceScanned, now
		if cur.AttachedAt == nil {
			cur.AttachedAt = &now
		}
		return cur, nil
	})
	return auth.AsFault(err, "claim cross-device ticket")
}

// holdTicket checks, inside a finish's transaction, that the ceremony being finished is still
// its ticket's and the flow still open, and locks the ticket until the transaction ends so
// that an abort cannot slip in before endTicket. The error it returns is the finish's outcome.
func holdTicket(ctx context.Context, tx storage.Store, tenantID, ticketID, ceremonyID string, now time.Time) error {
	var failure error
	err := tx.UpdateCrossDeviceTicket(ctx, tenantID, ticketID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		switch {
		case cur.CeremonyID != ceremonyID:
			failure = errCeremonyInvalid
		case cur.Ended(now):
			failure = errTicketEnded(cur.StatusAt(now))
		default:
			failure = nil
		}
		return cur, auth.ErrNoChange
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return errCeremonyInvalid
	case err != nil && !errors.Is(err, auth.ErrNoChange):
		return err
	}
	return failure
}

// endTicket ends a held ticket with its ceremony's outcome: success, with the session a login
// made (sessionRef), or error.
func endTicket(ctx context.Context, tx storage.Store, tenantID, ticketID string, ok bool, sessionRef string, now time.Time) error {
	return tx.UpdateCrossDeviceTicket(ctx, tenantID, ticketID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		cur.Status, cur.UpdatedAt = model.CrossDeviceError, now
		if ok {
			cur.Status, cur.SessionRef = model.CrossDeviceSuccess, sessionRef
		}
		return cur, nil
	})
}
