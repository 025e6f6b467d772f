package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/magiclink"

	"github.com/latchkey/latchkey/internal/model"
)

func (s *Server) magicLinkRoutes() {
	s.handle(http.MethodPost, "/cis/v1/auth/link/email/send", ClientToken, s.sendMagicLink)
	s.handle(http.MethodPost, "/cis/v1/auth/link/email/authenticate", ClientToken, s.authenticateMagicLink)
}

// linkContentJSON is Mosaic's email_content of a magic link send.
type linkContentJSON struct {
	Subject      string `json:"subject"`
	PrimaryColor string `json:"primaryColor"`
	Base64Logo   string `json:"base64logo"`
	HeaderText   string `json:"headerText"`
	BodyText     string `json:"bodyText"`
	LinkText     string `json:"linkText"`
	InfoText     string `json:"infoText"`
	FooterText   string `json:"footerText"`
	SenderName   string `json:"senderName"`
}

// linkSendJSON accepts both of Mosaic's shapes: identifier with identifier_type, or the
// deprecated email; the domain tells them apart.
type linkSendJSON struct {
	Identifier        string                 `json:"identifier"`
	IdentifierType    string                 `json:"identifier_type"`
	Email             string                 `json:"email"`
	RedirectURI       string                 `json:"redirect_uri"`
	State             string                 `json:"state"`
	EmailExpiration   int                    `json:"email_expiration"`
	Channel           string                 `json:"channel"`
	GenerateRequestID bool                   `json:"generate_request_id"`
	EmailContent      *linkContentJSON       `json:"email_content"`
	ClientAttributes  model.ClientAttributes `json:"client_attributes"`
	DeviceID          model.DeviceID         `json:"device_id"`
}

type linkSentJSON struct {
	Message   string `json:"message"`
	Link      string `json:"link,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

func (s *Server) sendMagicLink(w http.ResponseWriter, r *http.Request) error {
	var in linkSendJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := magiclink.MagicLinkSend{
		IdentifierType: in.IdentifierType, Identifier: in.Identifier, Email: in.Email,
		RedirectURI: in.RedirectURI, State: in.State, ExpiresIn: in.EmailExpiration,
		Channel: in.Channel, GenerateRequestID: in.GenerateRequestID, ClientAttributes: in.ClientAttributes,
	}
	req.ClientAttributes.DeviceID = string(in.DeviceID)
	if ct := in.EmailContent; ct != nil {
		req.Content = &magiclink.MagicLinkContent{
			Subject: ct.Subject, PrimaryColor: ct.PrimaryColor, Logo: ct.Base64Logo,
			HeaderText: ct.HeaderText, BodyText: ct.BodyText, LinkText: ct.LinkText,
			InfoText: ct.InfoText, FooterText: ct.FooterText, Sender: ct.SenderName,
		}
	}
	out, err := s.cfg.Links.SendMagicLink(r.Context(), callerOf(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkSentJSON{Message: out.Message, Link: out.Link, RequestID: out.RequestID})
	return nil
}

type linkAuthenticateJSON struct {
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	loginJSON
}

func (s *Server) authenticateMagicLink(w http.ResponseWriter, r *http.Request) error {
	var in linkAuthenticateJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.Links.AuthenticateMagicLink(r.Context(), callerOf(r), magiclink.MagicLinkAuthenticate{
		Code: in.Code, RequestID: in.RequestID, Login: in.login(),
	})
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}
