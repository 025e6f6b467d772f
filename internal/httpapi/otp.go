package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/otp"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

func (s *Server) otpRoutes() {
	s.handle("POST", "/cis/v1/auth/otp/send", ClientToken, s.sendOTP)
	s.handle("POST", "/cis/v1/auth/otp/authenticate", ClientToken, s.authenticateOTP)
}

type emailContentJSON struct {
	Subject      string `json:"subject"`
	PrimaryColor string `json:"primaryColor"`
	SenderName   string `json:"senderName"`
}

type customSMSJSON struct {
	CustomMessage string `json:"custom_message"`
	SenderID      string `json:"sender_id"`
}

type otpSendJSON struct {
	Channel           string                 `json:"channel"`
	IdentifierType    string                 `json:"identifier_type"`
	Identifier        string                 `json:"identifier"`
	ExpiresIn         int                    `json:"expires_in"`
	GenerateRequestID bool                   `json:"generate_request_id"`
	EmailContent      *emailContentJSON      `json:"email_content"`
	CustomSMSInput    *customSMSJSON         `json:"custom_sms_input"`
	CustomEmail       string                 `json:"custom_email"`
	CustomPhoneNumber string                 `json:"custom_phone_number"`
	ApprovalData      json.RawMessage        `json:"approval_data"`
	ClientAttributes  model.ClientAttributes `json:"client_attributes"`
	DeviceID          model.DeviceID         `json:"device_id"`
}

type otpSentJSON struct {
	Message      string          `json:"message"`
	Code         string          `json:"code,omitempty"`
	RequestID    string          `json:"request_id,omitempty"`
	ApprovalData json.RawMessage `json:"approval_data,omitempty"`
}

func (s *Server) sendOTP(w http.ResponseWriter, r *http.Request) error {
	var in otpSendJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := otp.OTPSend{
		Channel: in.Channel, IdentifierType: in.IdentifierType, Identifier: in.Identifier,
		ExpiresIn: in.ExpiresIn, GenerateRequestID: in.GenerateRequestID,
		CustomEmail: in.CustomEmail, CustomPhone: in.CustomPhoneNumber, ApprovalData: in.ApprovalData,
		ClientAttributes: in.ClientAttributes,
	}
	req.ClientAttributes.DeviceID = string(in.DeviceID)
	if in.CustomSMSInput != nil {
		req.SMS = &otp.SMSContent{Message: in.CustomSMSInput.CustomMessage, SenderID: in.CustomSMSInput.SenderID}
	}
	if in.EmailContent != nil {
		req.Branding = &model.MessageBranding{Subject: in.EmailContent.Subject, PrimaryColor: in.EmailContent.PrimaryColor}
		req.SenderName = in.EmailContent.SenderName
	}
	out, err := s.cfg.OTP.SendOTP(r.Context(), callerOf(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, otpSentJSON{Message: out.Message, Code: out.Code, RequestID: out.RequestID, ApprovalData: out.ApprovalData})
	return nil
}

// loginJSON holds the fields common to every authenticate call. device_id and org_id travel
// with the client attributes: the session and the login's audit events keep them.
type loginJSON struct {
	SessionID        string                 `json:"session_id"`
	Resource         string                 `json:"resource"`
	Claims           *auth.ClaimsRequest    `json:"claims"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
	DeviceID         model.DeviceID         `json:"device_id"`
	OrgID            model.OrgID            `json:"org_id"`
}

func (l loginJSON) login() auth.Login {
	out := auth.Login{SessionID: l.SessionID, Resource: l.Resource, ClientAttributes: l.ClientAttributes}
	out.ClientAttributes.DeviceID, out.ClientAttributes.OrgID = string(l.DeviceID), string(l.OrgID)
	if l.Claims != nil {
		out.Claims = *l.Claims
	}
	return out
}

type otpAuthenticateJSON struct {
	Passcode       string `json:"passcode"`
	IdentifierType string `json:"identifier_type"`
	Identifier     string `json:"identifier"`
	RequestID      string `json:"request_id"`
	loginJSON
}

func (s *Server) authenticateOTP(w http.ResponseWriter, r *http.Request) error {
	var in otpAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.OTP.AuthenticateOTP(r.Context(), callerOf(r), otp.OTPAuthenticate{
		Passcode: in.Passcode, IdentifierType: in.IdentifierType, Identifier: in.Identifier,
		RequestID: in.RequestID, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

// writeTokens writes the answer of an authenticate or refresh call: Mosaic's ApiTokenResponse,
// which has no scope (the token endpoint's answer has, see writeOAuthTokens).
func writeTokens(w http.ResponseWriter, t auth.TokenResponse) {
	t.Scope = ""
	writeJSON(w, http.StatusOK, t)
}
