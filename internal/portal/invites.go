package portal

import (
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// invitesPage lists the tenant's invitations, with the form that sends one.
type invitesPage struct {
	Invites []inviteRow
	Email   string
}

type inviteRow struct {
	model.AdminInvite
	State string // open, accepted, revoked or expired
}

func (p *Portal) listInvites(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return p.renderInvites(w, r, s, http.StatusOK, "", nil)
}

func (p *Portal) renderInvites(w http.ResponseWriter, r *http.Request, s *signedIn, status int, email string, probs []string) error {
	list, err := p.cfg.Admins.Invites(r.Context(), s.Admin)
	if err != nil {
		return err
	}
	pg := invitesPage{Email: email}
	now := p.cfg.Admins.Now()
	for _, inv := range list {
		row := inviteRow{AdminInvite: inv, State: "open"}
		switch {
		case inv.AcceptedAt != nil:
			row.State = "accepted"
		case inv.RevokedAt != nil:
			row.State = "revoked"
		case !inv.Open(now):
			row.State = "expired"
		}
		pg.Invites = append(pg.Invites, row)
	}
	p.render(w, r, status, "invites", view{Title: "Administrators", Admin: s, Nav: "invites", Problems: probs, Data: pg})
	return nil
}

// publicBase is where links in emails point: the deployment's public URL, or else the origin
// the browser used (as a trusted proxy reports it).
func (p *Portal) publicBase(r *http.Request) string {
	if p.cfg.PublicURL != "" {
		return strings.TrimRight(p.cfg.PublicURL, "/")
	}
	scheme, host := p.origin(r)
	return scheme + "://" + host
}

func (p *Portal) invite(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	_, err := p.cfg.Admins.Invite(r.Context(), s.Admin, email, p.publicBase(r)+Prefix+"/invite?token=", p.attrs(r))
	if fault.Is(err, fault.Invalid) {
		return p.renderInvites(w, r, s, http.StatusBadRequest, email, problems(fault.As(err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/invites?done=invite-sent", http.StatusSeeOther)
	return nil
}

func (p *Portal) revokeInvite(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := p.cfg.Admins.RevokeInvite(r.Context(), s.Admin, r.PathValue("invite"), p.attrs(r)); err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/invites?done=invite-revoked", http.StatusSeeOther)
	return nil
}

// invitePage shows an invitation. Accepting takes a press of a button (a POST): a link
// scanner that fetches the link spends nothing.
func (p *Portal) invitePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	inv, err := p.cfg.Admins.CheckInvite(r.Context(), token)
	if err != nil {
		p.render(w, r, statusOf(err), "error", view{Title: "Invitation", Problems: problems(fault.As(err))})
		return
	}
	t, err := p.cfg.Admins.Tenant(r.Context(), inv.TenantID)
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	p.render(w, r, http.StatusOK, "invite", view{Title: "Invitation", Data: map[string]string{
		"Tenant": t.Name, "Email": inv.Email, "Inviter": inv.InvitedByEmail, "Token": token}})
}

// acceptInvite spends the invitation and signs the new administrator in.
func (p *Portal) acceptInvite(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		p.render(w, r, http.StatusForbidden, "error", view{Title: "Invitation", Problems: []string{"The form did not come from this portal."}})
		return
	}
	a, sid, err := p.cfg.Admins.AcceptInvite(r.Context(), r.PostFormValue("token"), p.attrs(r))
	if err != nil {
		p.render(w, r, statusOf(err), "error", view{Title: "Invitation", Problems: problems(fault.As(err))})
		return
	}
	p.signedInTo(w, r, a.Caller.TenantID, sid, Prefix+"/account?done=invite-accepted")
}
