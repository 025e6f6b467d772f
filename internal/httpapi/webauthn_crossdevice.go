package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/model"
)

// crossDeviceRoutes registers the cross-device passkey flows: a login or registration begun
// on one device and carried out on another. The steps the devices' browsers call carry only
// the ticket and are public (with CORS for the application's web origins); the registration
// inits and the abort take the caller's token.
func (api *webauthnAPI) crossDeviceRoutes() {
	s := api.s
	const base = "/cis/v1/auth/webauthn/cross-device"
	s.handle("POST", base+"/authenticate/init", Public, api.initCrossDeviceLogin)
	s.handle("POST", base+"/authenticate/start", Public, api.startCrossDeviceLogin)
	// Authorised by the user's own access token, which the handler checks itself.
	s.handle("POST", base+"/register/init", Public, api.initCrossDeviceSelfRegistration)
	s.handle("POST", base+"/external/register/init", ClientToken, api.initCrossDeviceExternalRegistration)
	s.handle("POST", base+"/register/start", Public, api.startCrossDeviceRegistration)
	s.handle("POST", base+"/attach-device", Public, api.attachCrossDeviceDevice)
	s.handle("GET", base+"/status", Public, api.crossDeviceStatus)
	s.handle("POST", base+"/abort", ClientToken, api.abortCrossDevice)
	for _, p := range []string{"/authenticate/init", "/authenticate/start", "/register/start", "/attach-device", "/status"} {
		s.handle("OPTIONS", base+p, Public, api.preflight)
	}
}

type crossDeviceTicketJSON struct {
	TicketID string `json:"cross_device_ticket_id"`
}

type crossDeviceLoginInitJSON struct {
	ClientID         string                 `json:"client_id"`
	Username         string                 `json:"username"`
	ApprovalData     json.RawMessage        `json:"approval_data"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
}

type crossDeviceRegisterInitJSON struct {
	Username       string `json:"username"`
	ExternalUserID string `json:"external_user_id"`
}

// crossDeviceStatusJSON is a flow's status: started_at (RFC 3339) and approval_data for the
// attaching device, session_id for the first poll after a successful login.
type crossDeviceStatusJSON struct {
	Status       string          `json:"status"`
	StartedAt    string          `json:"started_at,omitempty"`
	ApprovalData json.RawMessage `json:"approval_data,omitempty"`
	SessionID    string          `json:"session_id,omitempty"`
}

// allowOrigin lets a browser page of one of origins read the answer.
func allowOrigin(w http.ResponseWriter, r *http.Request, origins []string) {
	if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(origins, origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	w.Header().Add("Vary", "Origin")
}

func (api *webauthnAPI) initCrossDeviceLogin(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceLoginInitJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := passkeys.CrossDeviceLoginInit{
		ClientID: in.ClientID, Username: in.Username, ApprovalData: in.ApprovalData,
		IPAddress: clientIP(r), ClientAttributes: in.ClientAttributes,
	}
	if bearer := bearerToken(r); bearer != "" {
		c, err := api.s.cfg.Auth.Caller(r.Context(), bearer)
		if err != nil {
			return err
		}
		req.Backend = &c
	}
	out, err := api.pk.InitCrossDeviceLogin(r.Context(), req)
	if err != nil {
		return err
	}
	allowOrigin(w, r, out.Origins)
	writeJSON(w, http.StatusOK, crossDeviceTicketJSON{TicketID: out.Ticket})
	return nil
}

func (api *webauthnAPI) initCrossDeviceSelfRegistration(w http.ResponseWriter, r *http.Request) error {
	u, err := api.userCaller(w, r)
	if err != nil {
		return err
	}
	var in crossDeviceRegisterInitJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ticket, err := api.pk.InitCrossDeviceSelfRegistration(r.Context(), u, in.Username)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crossDeviceTicketJSON{TicketID: ticket})
	return nil
}

func (api *webauthnAPI) initCrossDeviceExternalRegistration(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceRegisterInitJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ticket, err := api.pk.InitCrossDeviceExternalRegistration(r.Context(), callerOf(r), in.ExternalUserID, in.Username)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crossDeviceTicketJSON{TicketID: ticket})
	return nil
}

func (api *webauthnAPI) startCrossDeviceLogin(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceTicketJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := api.pk.StartCrossDeviceLogin(r.Context(), in.TicketID, clientIP(r))
	if err != nil {
		return err
	}
	allowOrigin(w, r, out.Origins)
	writeJSON(w, http.StatusOK, webauthnRequestJSON{SessionID: out.SessionID, Options: out.Options})
	return nil
}

func (api *webauthnAPI) startCrossDeviceRegistration(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceTicketJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := api.pk.StartCrossDeviceRegistration(r.Context(), in.TicketID)
	if err != nil {
		return err
	}
	allowOrigin(w, r, out.Origins)
	writeJSON(w, http.StatusOK, webauthnCreationJSON{SessionID: out.SessionID, Options: out.Options})
	return nil
}

func (api *webauthnAPI) attachCrossDeviceDevice(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceTicketJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := api.pk.AttachCrossDeviceDevice(r.Context(), in.TicketID)
	if err != nil {
		return err
	}
	allowOrigin(w, r, out.Origins)
	writeJSON(w, http.StatusOK, toCrossDeviceStatusJSON(out, true))
	return nil
}

// crossDeviceStatus takes the ticket as the cross_device_ticket_id query parameter.
func (api *webauthnAPI) crossDeviceStatus(w http.ResponseWriter, r *http.Request) error {
	out, err := api.pk.CrossDeviceStatus(r.Context(), r.URL.Query().Get("cross_device_ticket_id"))
	if err != nil {
		return err
	}
	allowOrigin(w, r, out.Origins)
	writeJSON(w, http.StatusOK, toCrossDeviceStatusJSON(out, false))
	return nil
}

func (api *webauthnAPI) abortCrossDevice(w http.ResponseWriter, r *http.Request) error {
	var in crossDeviceTicketJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := api.pk.AbortCrossDevice(r.Context(), callerOf(r), in.TicketID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crossDeviceStatusJSON{Status: out.Status})
	return nil
}

// toCrossDeviceStatusJSON writes a status as the attach (with what the device shows) or the
// poll (with the session of a successful login) answers it.
func toCrossDeviceStatusJSON(st passkeys.CrossDeviceTicketStatus, attach bool) crossDeviceStatusJSON {
	out := crossDeviceStatusJSON{Status: st.Status}
	if attach {
		out.StartedAt = st.StartedAt.UTC().Format(time.RFC3339Nano)
		out.ApprovalData = st.ApprovalData
	} else {
		out.SessionID = st.SessionID
	}
	return out
}
