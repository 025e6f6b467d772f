package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/passwords"

	"github.com/latchkey/latchkey/internal/model"
)

// passwordRoutes registers password registration and replacement under the users API, and
// password login, change and reset.
func (s *Server) passwordRoutes() {
	s.handle(http.MethodPost, "/cis/v1/users/{user_id}/password", ClientToken, s.registerPassword)
	s.handle(http.MethodPut, "/cis/v1/users/{user_id}/password", ClientToken, s.setPassword)
	s.handle(http.MethodPost, "/cis/v1/auth/password/authenticate", ClientToken, s.authenticatePassword)
	s.handle(http.MethodPost, "/cis/v1/auth/password/change", ClientToken, s.changePassword)
	s.handle(http.MethodPost, "/cis/v1/auth/password/reset/send", ClientToken, s.sendPasswordReset)
	s.handle(http.MethodPost, "/cis/v1/auth/password/reset/complete", ClientToken, s.completePasswordReset)
}

// passwordRegisterJSON is the body of POST and PUT /cis/v1/users/{user_id}/password. Absent
// force_replace and enforce_complexity are true, as in Mosaic.
type passwordRegisterJSON struct {
	Password          string `json:"password"`
	ForceReplace      *bool  `json:"force_replace"`
	Username          string `json:"username"`
	EnforceComplexity *bool  `json:"enforce_complexity"`
}

type passwordMessageJSON struct {
	Result struct {
		Message string `json:"message"`
	} `json:"result"`
}

func writePasswordMessage(w http.ResponseWriter, status int, msg string) {
	var out passwordMessageJSON
	out.Result.Message = msg
	writeJSON(w, status, out)
}

func orTrue(b *bool) bool { return b == nil || *b }

func (s *Server) registerPassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordRegisterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	err := s.cfg.Passwords.RegisterPassword(r.Context(), callerOf(r), passwords.PasswordRegister{
		UserID: r.PathValue("user_id"), Password: in.Password, ForceReplace: orTrue(in.ForceReplace),
		Username: in.Username, EnforceComplexity: orTrue(in.EnforceComplexity),
	})
	if err != nil {
		return err
	}
	writePasswordMessage(w, http.StatusCreated, "Password registered")
	return nil
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordRegisterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	err := s.cfg.Passwords.SetPassword(r.Context(), callerOf(r), passwords.PasswordSet{
		UserID: r.PathValue("user_id"), Password: in.Password, ForceReplace: orTrue(in.ForceReplace),
		EnforceComplexity: orTrue(in.EnforceComplexity),
	})
	if err != nil {
		return err
	}
	writePasswordMessage(w, http.StatusOK, "Password updated")
	return nil
}

type passwordAuthenticateJSON struct {
	Username     string `json:"username"`
	UsernameType string `json:"username_type"`
	Password     string `json:"password"`
	loginJSON
}

func (s *Server) authenticatePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.Passwords.AuthenticatePassword(r.Context(), callerOf(r), passwords.PasswordAuthenticate{
		Username: in.Username, UsernameType: in.UsernameType, Password: in.Password, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

type passwordChangeJSON struct {
	Username        string `json:"username"`
	UsernameType    string `json:"username_type"`
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	loginJSON
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordChangeJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.Passwords.ChangePassword(r.Context(), callerOf(r), passwords.PasswordChange{
		Username: in.Username, UsernameType: in.UsernameType, CurrentPassword: in.CurrentPassword,
		NewPassword: in.NewPassword, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

type passwordResetSendJSON struct {
	IdentifierType   string                 `json:"identifier_type"`
	Identifier       string                 `json:"identifier"`
	Channel          string                 `json:"channel"`
	RedirectURI      string                 `json:"redirect_uri"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
}

type passwordResetSentJSON struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
	Link    string `json:"link,omitempty"`
}

func (s *Server) sendPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in passwordResetSendJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.Passwords.SendPasswordReset(r.Context(), callerOf(r), passwords.PasswordResetSend{
		IdentifierType: in.IdentifierType, Identifier: in.Identifier, Channel: in.Channel,
		RedirectURI: in.RedirectURI, ClientAttributes: in.ClientAttributes,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, passwordResetSentJSON{Message: out.Message, Code: out.Code, Link: out.Link})
	return nil
}

type passwordResetCompleteJSON struct {
	IdentifierType   string                 `json:"identifier_type"`
	Identifier       string                 `json:"identifier"`
	Code             string                 `json:"code"`
	NewPassword      string                 `json:"new_password"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
}

func (s *Server) completePasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in passwordResetCompleteJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	err := s.cfg.Passwords.CompletePasswordReset(r.Context(), callerOf(r), passwords.PasswordResetComplete{
		IdentifierType: in.IdentifierType, Identifier: in.Identifier, Code: in.Code,
		NewPassword: in.NewPassword, ClientAttributes: in.ClientAttributes,
	})
	if err != nil {
		return err
	}
	writePasswordMessage(w, http.StatusOK, "Password reset")
	return nil
}
