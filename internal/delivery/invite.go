package delivery

import (
	"errors"
	"strconv"

	"github.com/latchkey/latchkey/internal/model"
)

// AdminInvite is what an invitation to administer a tenant says.
type AdminInvite struct {
	Texts    *Texts
	Language string
	// Tenant is the name of the tenant the invitation is to; Inviter the inviting
	// administrator's address.
	Tenant, Inviter string
	URL             string
	ExpiresInHours  int
}

// RenderAdminInviteEmail renders the subject, text and HTML of an invitation to become an
// administrator, in the layout of a magic link.
func RenderAdminInviteEmail(d AdminInvite) (subject, text, html string, err error) {
	tenant := oneLine(d.Tenant)
	if tenant == "" {
		return "", "", "", errors.New("render invite email: tenant is required")
	}
	w := d.Texts.in(d.Language)
	subject = w.say("invite.subject", "tenant", tenant)
	info := w.say("invite.expires", "n", strconv.Itoa(d.ExpiresInHours)) + " " + w.say("invite.ignore")
	return RenderMagicLinkEmail(LinkEmail{
		Texts: d.Texts, Language: d.Language, AppName: tenant, URL: d.URL,
		Branding:   model.MessageBranding{Subject: subject},
		HeaderText: w.say("invite.heading", "tenant", tenant),
		BodyText:   w.say("invite.body", "tenant", tenant, "inviter", oneLine(d.Inviter)),
		LinkText:   w.say("invite.button"),
		InfoText:   info,
	})
}
