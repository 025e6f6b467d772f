package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/model"
)

// webauthnCredentialRoutes registers Mosaic's passkey management operations of the Users API:
// an application's backend manages any user's passkeys with its client token, and a signed-in
// user their own with their access token (the me/ routes, whose handlers check it). They are
// of the Users API's error family.
func (a *webauthnAPI) webauthnCredentialRoutes() {
	s := a.s
	const one = "/cis/v1/users/{user_id}/webauthn-credentials/{credential_id}"
	const own = "/cis/v1/users/me/webauthn-credentials"
	user := func(method, pattern string, access Access, h handlerFunc) {
		s.register(Route{Method: method, Pattern: pattern, Access: access, Family: FamilyUsers, handle: h})
	}
	// The list's path clashes with the lookups by email and the like in http.ServeMux, so it
	// joins the users API's GET collections.
	s.handleUserCollections(Route{Method: http.MethodGet, Pattern: "/cis/v1/users/{user_id}/webauthn-credentials",
		Access: ClientToken, Family: FamilyUsers, handle: a.listFor(pathUser)})
	user(http.MethodGet, one, ClientToken, a.getFor(pathUser))
	user(http.MethodPatch, one, ClientToken, a.updateFor(pathUser))
	user(http.MethodDelete, one, ClientToken, a.deleteFor(pathUser))
	user(http.MethodGet, own, Public, a.listFor(a.tokenUser))
	user(http.MethodGet, own+"/{credential_id}", Public, a.getFor(a.tokenUser))
	user(http.MethodPatch, own+"/{credential_id}", Public, a.updateFor(a.tokenUser))
	user(http.MethodDelete, own+"/{credential_id}", Public, a.deleteFor(a.tokenUser))
}

// webauthnCredentialJSON is a passkey as the webauthn-credentials operations answer it:
// Latchkey's passkey fields, with the label also under display_name, the field Mosaic's
// update takes.
type webauthnCredentialJSON struct {
	passkeyJSON
	DisplayName string `json:"display_name"`
}

func toWebauthnCredentialJSON(v passkeys.PasskeyView) webauthnCredentialJSON {
	return webauthnCredentialJSON{passkeyJSON: toPasskeyJSON(v), DisplayName: v.Name}
}

// webauthnCredentialUpdateJSON is the body of Mosaic's credential update.
type webauthnCredentialUpdateJSON struct {
	DisplayName string `json:"display_name"`
}

// passkeyOwner gives the caller and the user whose passkeys a request manages: the path's user for
// the client-token routes, the token's user for the me/ routes.
type passkeyOwner func(w http.ResponseWriter, r *http.Request) (model.Caller, string, error)

func pathUser(_ http.ResponseWriter, r *http.Request) (model.Caller, string, error) {
	return callerOf(r), r.PathValue("user_id"), nil
}

func (a *webauthnAPI) tokenUser(w http.ResponseWriter, r *http.Request) (model.Caller, string, error) {
	u, err := a.userCaller(w, r)
	if err != nil {
		return model.Caller{}, "", err
	}
	return u.Caller, u.UserID, nil
}

func (a *webauthnAPI) listFor(owner passkeyOwner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, userID, err := owner(w, r)
		if err != nil {
			return err
		}
		list, err := a.pk.ListPasskeys(r.Context(), c, userID)
		if err != nil {
			return err
		}
		out := make([]webauthnCredentialJSON, len(list))
		for i, v := range list {
			out[i] = toWebauthnCredentialJSON(v)
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": out})
		return nil
	}
}

func (a *webauthnAPI) getFor(owner passkeyOwner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, userID, err := owner(w, r)
		if err != nil {
			return err
		}
		v, err := a.pk.GetPasskey(r.Context(), c, userID, r.PathValue("credential_id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": toWebauthnCredentialJSON(v)})
		return nil
	}
}

func (a *webauthnAPI) updateFor(owner passkeyOwner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, userID, err := owner(w, r)
		if err != nil {
			return err
		}
		var in webauthnCredentialUpdateJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		v, err := a.pk.RenamePasskey(r.Context(), c, userID, r.PathValue("credential_id"), in.DisplayName)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": toWebauthnCredentialJSON(v)})
		return nil
	}
}

func (a *webauthnAPI) deleteFor(owner passkeyOwner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, userID, err := owner(w, r)
		if err != nil {
			return err
		}
		if err := a.pk.DeletePasskey(r.Context(), c, userID, r.PathValue("credential_id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
