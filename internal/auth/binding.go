package auth

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// ClientBinding is what every access token, a client's or a user's, says about the client it
// was issued to. A token speaks for its client only while all of it still holds; TokenClient
// is the one place that decides it, for API bearers and for introspection alike.
type ClientBinding struct {
	TenantID string `json:"tid"`
	AppID    string `json:"app_id"`
	ClientID string `json:"client_id"`
	// ClientEpoch is the client's token epoch when the token was issued. Tokens issued before
	// epochs existed carry none, which reads as 0, every client's first epoch.
	ClientEpoch int64 `json:"client_epoch"`
}

// BindingOf returns the binding of a token decoded into a map (as introspection decodes it).
func BindingOf(claims map[string]any) ClientBinding {
	b := ClientBinding{}
	b.TenantID, _ = claims["tid"].(string)
	b.AppID, _ = claims["app_id"].(string)
	b.ClientID, _ = claims["client_id"].(string)
	switch v := claims["client_epoch"].(type) {
	case float64:
		b.ClientEpoch = int64(v)
		if float64(b.ClientEpoch) != v {
			b.ClientEpoch = -1 // not an epoch any client has
		}
	case nil:
	default:
		b.ClientEpoch = -1
	}
	return b
}

// TokenClient returns the client a token was issued to and reports whether the token still
// speaks for it: the client exists, in the token's tenant and application, and is at the
// epoch the token carries. A client's secret rotation moves the epoch on, so every token
// minted before it (by the legitimate backend or by whoever had the old secret) ends; a
// deleted client ends its tokens by being gone.
//
// The client is read from the database, never the node's copy of it, as the secret is when
// a token is requested: a rotation or deletion made through another node must end the token
// here at once, not when this node's copy expires.
func (s *Service) TokenClient(ctx context.Context, b ClientBinding) (model.Client, bool, error) {
	return s.TokenClientFor(ctx, model.Caller{}, b)
}

// TokenClientFor is TokenClient for a token presented by caller: when the token is the
// caller's own client's, the client the caller's authentication read from the database in
// this request (model.Caller.Client) decides, without a second read.
func (s *Service) TokenClientFor(ctx context.Context, caller model.Caller, b ClientBinding) (model.Client, bool, error) {
	if b.ClientID == "" || b.TenantID == "" || !model.ValidID(b.ClientID) {
		return model.Client{}, false, nil
	}
	var cl model.Client
	if caller.Client != nil && caller.Client.ID == b.ClientID && caller.ClientID == b.ClientID {
		cl = *caller.Client
	} else {
		var err error
		cl, err = s.store.GetClient(storage.Fresh(ctx), b.ClientID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return model.Client{}, false, nil
		case err != nil:
			return model.Client{}, false, fault.Wrap(err, "get client")
		}
	}
	if cl.TenantID != b.TenantID || cl.AppID != b.AppID || cl.TokenEpoch != b.ClientEpoch {
		return model.Client{}, false, nil
	}
	return cl, true, nil
}

// issuingClient reads the client a login's tokens are about to be issued to, from the
// database: the epoch stamped into the tokens must be the current one, not a node's stale
// copy of it (which would issue tokens that are refused at once). The copy the caller's
// authentication read from the database in this request is current enough (see
// model.Caller.Client) and saves the login a statement.
func issuingClient(ctx context.Context, st storage.Store, c model.Caller, id string) (model.Client, error) {
	if c.Client != nil && c.Client.ID == id && c.ClientID == id {
		return *c.Client, nil
	}
	cl, err := st.GetClient(storage.Fresh(ctx), id)
	if err != nil {
		return cl, fault.Wrap(err, "get client")
	}
	return cl, nil
}
