package httpapi

import (
	"encoding/base64"
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/totp"
)

// totpRoutes registers TOTP enrolment and login, and recovery codes. Enrolment routes sit
// under the users API and see the users it would show the caller.
func (s *Server) totpRoutes() {
	s.handle(http.MethodPost, "/cis/v1/users/{user_id}/totp", ClientToken, s.enrolTOTP)
	s.handle(http.MethodPost, "/cis/v1/users/{user_id}/totp/{totp_id}/confirm", ClientToken, s.confirmTOTP)
	s.handle(http.MethodDelete, "/cis/v1/users/{user_id}/totp/{totp_id}", ClientToken, s.deleteTOTP)
	s.handle(http.MethodPost, "/cis/v1/users/{user_id}/recovery-codes", ClientToken, s.generateRecoveryCodes)
	s.handle(http.MethodDelete, "/cis/v1/users/{user_id}/recovery-codes", ClientToken, s.deleteRecoveryCodes)
	s.handleUserCollections(
		Route{Method: http.MethodGet, Pattern: "/cis/v1/users/{user_id}/totp", Access: ClientToken, handle: s.listTOTP},
		Route{Method: http.MethodGet, Pattern: "/cis/v1/users/{user_id}/recovery-codes", Access: ClientToken, handle: s.recoveryCodeStatus},
	)
	s.handle(http.MethodPost, "/cis/v1/auth/totp/authenticate", ClientToken, s.authenticateTOTP)
	s.handle(http.MethodPost, "/cis/v1/auth/recovery-code/authenticate", ClientToken, s.authenticateRecoveryCode)
	// Authorised by the user's own access token, which the handler checks itself.
	s.handle(http.MethodPost, "/cis/v1/auth/totp/register", Public, s.registerTOTP)
	s.handle(http.MethodPost, "/cis/v1/auth/totp/transaction/start", ClientToken, s.startTOTPTransaction)
}

type totpEnrolJSON struct {
	Name string `json:"name"`
}

// totpJSON is a TOTP credential as the API shows it; times are Unix milliseconds.
type totpJSON struct {
	TOTPID     string `json:"totp_id"`
	Name       string `json:"name"`
	Algorithm  string `json:"algorithm"`
	Digits     int    `json:"digits"`
	Period     int    `json:"period"`
	Confirmed  bool   `json:"confirmed"`
	CreatedAt  int64  `json:"created_at"`
	LastUsedAt *int64 `json:"last_used_at,omitempty"`
}

type totpEnrolmentJSON struct {
	totpJSON
	Secret string `json:"secret"`
	URI    string `json:"uri"`
	QRCode string `json:"qr_code"` // data:image/png;base64,...
}

func toTOTPJSON(t totp.TOTPCredential) totpJSON {
	out := totpJSON{
		TOTPID: t.ID, Name: t.Name, Algorithm: t.Algorithm, Digits: t.Digits, Period: t.Period,
		Confirmed: t.Confirmed, CreatedAt: t.CreatedAt.UnixMilli(),
	}
	if t.LastUsedAt != nil {
		ms := t.LastUsedAt.UnixMilli()
		out.LastUsedAt = &ms
	}
	return out
}

func (s *Server) enrolTOTP(w http.ResponseWriter, r *http.Request) error {
	var in totpEnrolJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.cfg.TOTP.EnrolTOTP(r.Context(), callerOf(r), r.PathValue("user_id"), totp.TOTPEnrol{Name: in.Name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[totpEnrolmentJSON]{Result: totpEnrolmentJSON{
		totpJSON: toTOTPJSON(e.TOTPCredential), Secret: e.Secret, URI: e.URI,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode),
	}})
	return nil
}

type totpConfirmJSON struct {
	Code string `json:"code"`
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in totpConfirmJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.cfg.TOTP.ConfirmTOTP(r.Context(), callerOf(r), r.PathValue("user_id"), r.PathValue("totp_id"), in.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[totpJSON]{Result: toTOTPJSON(t)})
	return nil
}

func (s *Server) listTOTP(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.TOTP.ListTOTP(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminResult[[]totpJSON]{Result: mapAll(list, toTOTPJSON)})
	return nil
}

func (s *Server) deleteTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.TOTP.DeleteTOTP(r.Context(), callerOf(r), r.PathValue("user_id"), r.PathValue("totp_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type recoveryCodesJSON struct {
	RecoveryCodes []string `json:"recovery_codes"`
	CreatedAt     int64    `json:"created_at"`
}

type recoveryStatusJSON struct {
	Remaining int    `json:"remaining"`
	Used      int    `json:"used"`
	CreatedAt *int64 `json:"created_at,omitempty"`
}

// generateRecoveryCodes takes no body: there is nothing to choose.
func (s *Server) generateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.cfg.TOTP.GenerateRecoveryCodes(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminResult[recoveryCodesJSON]{Result: recoveryCodesJSON{
		RecoveryCodes: codes.Codes, CreatedAt: codes.CreatedAt.UnixMilli(),
	}})
	return nil
}

func (s *Server) recoveryCodeStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cfg.TOTP.RecoveryCodeStatus(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := recoveryStatusJSON{Remaining: st.Remaining, Used: st.Used}
	if st.CreatedAt != nil {
		ms := st.CreatedAt.UnixMilli()
		out.CreatedAt = &ms
	}
	writeJSON(w, http.StatusOK, adminResult[recoveryStatusJSON]{Result: out})
	return nil
}

func (s *Server) deleteRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.TOTP.DeleteRecoveryCodes(r.Context(), callerOf(r), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type totpAuthenticateJSON struct {
	Token          string `json:"token"`
	IdentifierType string `json:"identifier_type"`
	Identifier     string `json:"identifier"`
	loginJSON
}

func (s *Server) authenticateTOTP(w http.ResponseWriter, r *http.Request) error {
	var in totpAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.TOTP.AuthenticateTOTP(r.Context(), callerOf(r), totp.TOTPAuthenticate{
		Token: in.Token, IdentifierType: in.IdentifierType, Identifier: in.Identifier, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

type recoveryCodeAuthenticateJSON struct {
	Code           string `json:"code"`
	IdentifierType string `json:"identifier_type"`
	Identifier     string `json:"identifier"`
	loginJSON
}

func (s *Server) authenticateRecoveryCode(w http.ResponseWriter, r *http.Request) error {
	var in recoveryCodeAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.TOTP.AuthenticateRecoveryCode(r.Context(), callerOf(r), totp.RecoveryCodeAuthenticate{
		Code: in.Code, IdentifierType: in.IdentifierType, Identifier: in.Identifier, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}
