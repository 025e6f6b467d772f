package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/totp"
)

type totpRegisterJSON struct {
	DeviceID      string `json:"device_id"`
	Label         string `json:"label"`
	AllowOverride bool   `json:"allow_override"`
}

// totpRegisteredJSON is a registered authenticator as Mosaic's registration answers it (the
// secret, and the otpauth URI carrying it), with the credential's id and parameters.
type totpRegisteredJSON struct {
	Secret    string `json:"secret"`
	URI       string `json:"uri"`
	QRCode    string `json:"qr_code"` // data:image/png;base64,...
	TOTPID    string `json:"totp_id"`
	Algorithm string `json:"algorithm"`
	Digits    int    `json:"digits"`
	Period    int    `json:"period"`
}

// registerTOTP registers an authenticator for the user of the access token.
func (s *Server) registerTOTP(w http.ResponseWriter, r *http.Request) error {
	u, err := s.userCaller(w, r)
	if err != nil {
		return err
	}
	var in totpRegisterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.cfg.TOTP.RegisterTOTP(r.Context(), u, totp.TOTPRegister{Label: in.Label, AllowOverride: in.AllowOverride, DeviceID: in.DeviceID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, totpRegisteredJSON{
		Secret: e.Secret, URI: e.URI, QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode),
		TOTPID: e.ID, Algorithm: e.Algorithm, Digits: e.Digits, Period: e.Period,
	})
	return nil
}

type totpTransactionStartJSON struct {
	DeviceID       string          `json:"device_id"`
	ApprovalData   json.RawMessage `json:"approval_data"`
	IdentifierType string          `json:"identifier_type"`
	Identifier     string          `json:"identifier"`
}

type totpTransactionJSON struct {
	ApprovalData json.RawMessage `json:"approval_data"`
	Challenge    string          `json:"challenge"`
}

func (s *Server) startTOTPTransaction(w http.ResponseWriter, r *http.Request) error {
	var in totpTransactionStartJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.TOTP.StartTransaction(r.Context(), callerOf(r), totp.TOTPTransactionStart{
		ApprovalData: in.ApprovalData, IdentifierType: in.IdentifierType, Identifier: in.Identifier, DeviceID: in.DeviceID,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, totpTransactionJSON{ApprovalData: out.ApprovalData, Challenge: out.Challenge})
	return nil
}
