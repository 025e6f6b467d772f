package portal

import (
	"net/http"
	"slices"

	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// refused reports whether err is the domain refusing the input (shown back on the form) rather
// than failing.
func refused(err error) bool {
	return fault.Is(err, fault.Invalid) || fault.Is(err, fault.Conflict)
}

func (p *Portal) newUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	p.render(w, r, http.StatusOK, "user_new", view{Title: "New user", Admin: s, Nav: "users", Data: userForm{}})
	return nil
}

// createUser creates a user through the users API's call (directory.Create), with a temporary
// password when one is typed, as the API's credentials with force_replace.
func (p *Portal) createUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	f := readUserForm(r)
	u, err := p.cfg.Directory.Create(r.Context(), s.caller(), f.createInput())
	if refused(err) {
		f = f.withProblems(problems(fault.As(err)))
		f.Password = ""
		p.render(w, r, http.StatusBadRequest, "user_new", view{Title: "New user", Admin: s, Nav: "users", Data: f, Problems: f.Other})
		return nil
	}
	if err != nil {
		return err
	}
	p.record(r, s, "user.create", u.ID, map[string]any{"temporary_password": f.Password != ""})
	http.Redirect(w, r, Prefix+"/users/"+u.ID+"?done=user-created", http.StatusSeeOther)
	return nil
}

// updateUser saves the profile through the users API's update (directory.Update): only what
// changed is sent, and a refusal is shown next to the fields it names.
func (p *Portal) updateUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("user")
	cur, err := p.cfg.Directory.Get(r.Context(), s.caller(), id)
	if err != nil {
		return err
	}
	f := readUserForm(r)
	in := f.updateInput(cur.User)
	_, err = p.cfg.Directory.Update(r.Context(), s.caller(), id, in)
	if refused(err) {
		f = f.withProblems(problems(fault.As(err)))
		return p.renderUser(w, r, s, id, http.StatusBadRequest, userEdits{Profile: &f})
	}
	if err != nil {
		return err
	}
	p.record(r, s, "user.update", id, map[string]any{"fields": changedFields(in)})
	http.Redirect(w, r, Prefix+"/users/"+id+"?done=user-saved", http.StatusSeeOther)
	return nil
}

// verifyAddress marks the user's email address or phone number verified, as the API's
// .../verify does.
func (p *Portal) verifyAddress(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("user")
	kind, value := r.PostFormValue("kind"), r.PostFormValue("value")
	if kind != directory.AddressEmail && kind != directory.AddressPhone {
		return fault.Validation("kind must be email or phone_number")
	}
	if err := p.cfg.Directory.Verify(r.Context(), s.caller(), id, kind, value, false); err != nil {
		return err
	}
	p.record(r, s, "user.verify_"+kind, id, nil)
	http.Redirect(w, r, Prefix+"/users/"+id+"?done=address-verified", http.StatusSeeOther)
	return nil
}

// setPassword gives the user a temporary password, which they must replace at their next
// login: the API's PUT .../password for a user who has one (which also ends their sessions),
// its POST for one who has none; both with force_replace and the complexity policy.
func (p *Portal) setPassword(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if p.cfg.Passwords == nil {
		return fault.New(fault.NotFound, "no_passwords", "this portal does not manage passwords")
	}
	id := r.PathValue("user")
	u, err := p.cfg.Directory.Get(r.Context(), s.caller(), id)
	if err != nil {
		return err
	}
	pw := r.PostFormValue("password")
	if u.Password != nil {
		err = p.cfg.Passwords.SetPassword(r.Context(), s.caller(), passwords.PasswordSet{UserID: id, Password: pw, ForceReplace: true, EnforceComplexity: true})
	} else {
		err = p.cfg.Passwords.RegisterPassword(r.Context(), s.caller(), passwords.PasswordRegister{UserID: id, Password: pw, ForceReplace: true, EnforceComplexity: true})
	}
	if refused(err) {
		return p.renderUser(w, r, s, id, http.StatusBadRequest, userEdits{Password: problems(fault.As(err))})
	}
	if err != nil {
		return err
	}
	p.record(r, s, "user.set_password", id, map[string]any{"temporary": true, "replaced": u.Password != nil})
	done := "password-set"
	if u.Password != nil {
		done = "password-reset"
	}
	http.Redirect(w, r, Prefix+"/users/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}

// deleteTOTP removes one of the user's authenticator apps, as the API's DELETE .../totp/{id}.
func (p *Portal) deleteTOTP(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if p.cfg.TOTP == nil {
		return fault.New(fault.NotFound, "no_totp", "this portal does not manage authenticator apps")
	}
	id, totpID := r.PathValue("user"), r.PathValue("totp")
	if err := p.cfg.TOTP.DeleteTOTP(r.Context(), s.caller(), id, totpID); err != nil {
		return err
	}
	p.record(r, s, "user.delete_totp", id, map[string]any{"totp_id": totpID})
	http.Redirect(w, r, Prefix+"/users/"+id+"?done=totp-removed", http.StatusSeeOther)
	return nil
}

// deletePasskey removes one of the user's passkeys, as the API's DELETE
// .../webauthn-credentials/{id}; the credential id is a form field, being base64url.
func (p *Portal) deletePasskey(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if p.cfg.Passkeys == nil {
		return fault.New(fault.NotFound, "no_passkeys", "this portal does not manage passkeys")
	}
	id, cred := r.PathValue("user"), r.PostFormValue("credential")
	if err := p.cfg.Passkeys.DeletePasskey(r.Context(), s.caller(), id, cred); err != nil {
		return err
	}
	p.record(r, s, "user.delete_passkey", id, map[string]any{"credential_id": cred})
	http.Redirect(w, r, Prefix+"/users/"+id+"?done=passkey-removed", http.StatusSeeOther)
	return nil
}

// userLink is one of the user's applications.
type userLink struct {
	model.AppUser
	Name string
}

// changedFields names the fields an update sends, for its audit event (the values stay in the
// user's record, not the log).
func changedFields(in directory.UpdateInput) []string {
	out := []string{}
	for name, set := range map[string]bool{"email": in.Email != nil, "phone_number": in.PhoneNumber != nil, "username": in.Username != nil,
		"external_user_id": in.ExternalUserID != nil, "name": in.Name != nil, "language": in.Language != nil, "custom_data": in.CustomData != nil} {
		if set {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
