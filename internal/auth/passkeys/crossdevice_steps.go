package passkeys

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// The steps of a cross-device flow that follow its init, besides the ceremony's start
// (crossdevice_start.go): the attaching of the authenticating device, the access device's
// polling, and the abort.

// AttachCrossDeviceDevice records that the authenticating device has taken the flow up (it
// scanned the QR code, say) and returns the flow's status and the transaction it approves, for
// the device to show. One device may attach; a second is refused, so that a ticket seen over a
// shoulder cannot be taken up unnoticed. A flow that has ended answers its status unchanged.
func (p *Service) AttachCrossDeviceDevice(ctx context.Context, ticket string) (CrossDeviceTicketStatus, error) {
	t, err := p.findTicket(ctx, ticket)
	if err != nil {
		return CrossDeviceTicketStatus{}, err
	}
	now := p.s.Now()
	err = p.store.UpdateCrossDeviceTicket(ctx, t.TenantID, t.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		switch {
		case cur.Ended(now):
			return cur, auth.ErrNoChange
		case cur.AttachedAt != nil:
			return cur, errTicketAttached
		}
		cur.Status, cur.AttachedAt, cur.UpdatedAt = model.CrossDeviceScanned, &now, now
		t = cur
		return cur, nil
	})
	if err != nil && !errors.Is(err, auth.ErrNoChange) {
		return CrossDeviceTicketStatus{}, auth.AsFault(err, "attach device")
	}
	return CrossDeviceTicketStatus{Status: t.StatusAt(now), StartedAt: t.CreatedAt, ApprovalData: t.ApprovalData, Origins: p.ticketOrigins(ctx, t)}, nil
}

// ticketOrigins returns the web origins of a ticket's application; none when it can no longer
// be read (the answer is then readable only by callers outside a browser).
func (p *Service) ticketOrigins(ctx context.Context, t model.CrossDeviceTicket) []string {
	app, err := p.store.GetApplication(ctx, t.TenantID, t.AppID)
	if err != nil {
		return nil
	}
	return app.Preferences.Normalized().WebAuthn.RPWebOrigins
}

// CrossDeviceStatus answers the access device's poll. After a successful login, the first
// poll is given the session's id (which the access device's backend exchanges for tokens with
// the session authenticate call); later polls are not.
func (p *Service) CrossDeviceStatus(ctx context.Context, ticket string) (CrossDeviceTicketStatus, error) {
	t, err := p.findTicket(ctx, ticket)
	if err != nil {
		return CrossDeviceTicketStatus{}, err
	}
	now := p.s.Now()
	out := CrossDeviceTicketStatus{Status: t.StatusAt(now), StartedAt: t.CreatedAt, Origins: p.ticketOrigins(ctx, t)}
	if t.Status != model.CrossDeviceSuccess || t.SessionRef == "" || t.SessionShown != nil {
		return out, nil
	}
	first := false
	err = p.store.UpdateCrossDeviceTicket(ctx, t.TenantID, t.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		first = cur.SessionShown == nil
		if !first {
			return cur, auth.ErrNoChange
		}
		cur.SessionShown, cur.UpdatedAt = &now, now
		return cur, nil
	})
	if err != nil && !errors.Is(err, auth.ErrNoChange) {
		return out, auth.AsFault(err, "read cross-device status")
	}
	if !first {
		return out, nil
	}
	sess, err := p.store.GetSession(ctx, t.TenantID, t.SessionRef)
	if errors.Is(err, storage.ErrNotFound) {
		return out, nil
	} else if err != nil {
		return out, fault.Wrap(err, "get session")
	}
	if !sess.Active(now) {
		return out, nil
	}
	if out.SessionID, err = p.s.SessionIDOf(sess); err != nil {
		return CrossDeviceTicketStatus{}, fault.Wrap(err, "open session id")
	}
	return out, nil
}

// AbortCrossDevice ends a flow of c's application that has not ended yet (Mosaic's abort,
// called by the authenticating device's backend): its ceremony, if started, can no longer
// finish. A ticket of another application is not found.
func (p *Service) AbortCrossDevice(ctx context.Context, c model.Caller, ticket string) (CrossDeviceTicketStatus, error) {
	t, err := p.findTicket(ctx, ticket)
	if err != nil {
		return CrossDeviceTicketStatus{}, err
	}
	if t.TenantID != c.TenantID || (!c.Admin && t.AppID != c.AppID) {
		return CrossDeviceTicketStatus{}, errTicketNotFound
	}
	now := p.s.Now()
	err = p.store.InTx(ctx, func(tx storage.Store) error {
		err := tx.UpdateCrossDeviceTicket(ctx, t.TenantID, t.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
			switch {
			case cur.Status == model.CrossDeviceAborted:
				return cur, auth.ErrNoChange
			case cur.Ended(now):
				return cur, errTicketEnded(cur.StatusAt(now))
			}
			cur.Status, cur.UpdatedAt = model.CrossDeviceAborted, now
			t = cur
			return cur, nil
		})
		if err != nil {
			return err
		}
		return p.s.Record(ctx, tx, c, crossDeviceEvent(t, "aborted"), now)
	})
	if err != nil && !errors.Is(err, auth.ErrNoChange) {
		return CrossDeviceTicketStatus{}, auth.AsFault(err, "abort cross-device flow")
	}
	return CrossDeviceTicketStatus{Status: model.CrossDeviceAborted, StartedAt: t.CreatedAt}, nil
}
