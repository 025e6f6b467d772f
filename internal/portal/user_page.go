package portal

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/session"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// userPage is the data of a user's page.
type userPage struct {
	User     directory.User
	Sessions []session.SessionView
	Events   []model.AuditEvent
	Disabled bool
	// AppNames names the tenant's applications, for the sessions and events.
	AppNames map[string]string
	// Links are the applications the user is linked to.
	Links    []userLink
	TOTP     []totp.TOTPCredential
	Passkeys []passkeys.PasskeyView
	// Form is the profile form: the user's profile, or a refused edit with its problems.
	Form userForm
	// PasswordProblems are why a temporary password was refused.
	PasswordProblems []string
}

// userEdits are refused changes to show again on the user's page.
type userEdits struct {
	Profile  *userForm
	Password []string
}

// renderUser shows a user: profile (editable), applications, credentials, sessions and recent
// events, each read through the service the API reads it with.
func (p *Portal) renderUser(w http.ResponseWriter, r *http.Request, s *signedIn, id string, status int, edits userEdits) error {
	ctx, c := r.Context(), s.caller()
	u, err := p.cfg.Directory.Get(ctx, c, id)
	if err != nil {
		return err
	}
	pg := userPage{User: u, Disabled: u.Status == model.UserDisabled, Form: userFormOf(u.User), PasswordProblems: edits.Password}
	if edits.Profile != nil {
		pg.Form = *edits.Profile
	}
	if pg.Sessions, err = p.cfg.Sessions.ListSessions(ctx, c, id); err != nil {
		return err
	}
	apps, err := p.cfg.Tenancy.ListApplications(ctx, c)
	if err != nil {
		return err
	}
	pg.AppNames = make(map[string]string, len(apps))
	for _, a := range apps {
		pg.AppNames[a.ID] = a.Name
	}
	links, err := p.cfg.Directory.Links(ctx, c, id)
	if err != nil {
		return err
	}
	for _, l := range links {
		pg.Links = append(pg.Links, userLink{AppUser: l, Name: pg.AppNames[l.AppID]})
	}
	if p.cfg.TOTP != nil {
		if pg.TOTP, err = p.cfg.TOTP.ListTOTP(ctx, c, id); err != nil {
			return err
		}
	}
	if p.cfg.Passkeys != nil {
		if pg.Passkeys, err = p.cfg.Passkeys.ListPasskeys(ctx, c, id); err != nil {
			return err
		}
	}
	if p.cfg.Audit != nil {
		if pg.Events, _, err = p.cfg.Audit.Search(ctx, c, audit.Query{UserID: id, Limit: 20}); err != nil {
			return err
		}
	}
	title := u.Email
	if title == "" {
		title = u.ID
	}
	var probs []string
	if edits.Profile != nil {
		probs = edits.Profile.Other
	}
	p.render(w, r, status, "user", view{Title: title, Admin: s, Nav: "users", Problems: probs, Data: pg})
	return nil
}
