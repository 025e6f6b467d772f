package password

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

// Data is the public state of a password credential, stored as its Data JSON. The hash itself
// is the credential's Secret.
type Data struct {
	// History holds the hashes of the passwords before the current one, newest first, as many
	// as blockPreviousPasswords needs.
	History []string `json:"history,omitempty"`
	// Temporary is set for a password an administrator chose (force_replace): it can only be
	// used to choose a new one.
	Temporary bool      `json:"temporary"`
	ChangedAt time.Time `json:"changed_at"`
	// ExpiresAt is fixed when the password is set: passwordExpiresIn days later, or
	// tempPasswordValidityHours later for a temporary password; nil when it never expires.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// ParseData decodes a credential's Data; empty data is the zero Data.
func ParseData(raw json.RawMessage) (Data, error) {
	var d Data
	if len(raw) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("decode password data: %w", err)
	}
	return d, nil
}

// JSON encodes d for a credential's Data.
func (d Data) JSON() json.RawMessage {
	out, _ := json.Marshal(d) // a struct of strings, a bool and times always encodes
	return out
}

// State is whether a correct password may log in.
type State int

// States of a password.
const (
	Usable           State = iota
	MustChange             // temporary: the password may only be used to choose a new one
	Expired                // past its expiry: it may only be used to choose a new one
	TemporaryExpired       // a temporary password past its validity: it is of no use at all
)

// StateAt says what a correct password may do at now under the application's preferences.
// A temporary password's validity holds even when ignoreExpiration is set: it is the window an
// administrator gave the user, not a rotation policy.
func (d Data) StateAt(p model.PasswordPreferences, now time.Time) State {
	ended := d.ExpiresAt != nil && !now.Before(*d.ExpiresAt)
	switch {
	case d.Temporary && ended:
		return TemporaryExpired
	case d.Temporary:
		return MustChange
	case ended && !p.IgnoreExpiration:
		return Expired
	}
	return Usable
}

// expiry is when a password set at now stops being usable, or nil for never.
func expiry(p model.PasswordPreferences, temporary bool, now time.Time) *time.Time {
	var t time.Time
	switch {
	case temporary:
		t = now.Add(time.Duration(p.TempPasswordValidityHours) * time.Hour)
	case p.IgnoreExpiration:
		return nil
	default:
		t = now.AddDate(0, 0, p.PasswordExpiresIn)
	}
	return &t
}
