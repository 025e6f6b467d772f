package httpapi

import (
	"github.com/latchkey/latchkey/internal/auth/grant"
	"github.com/latchkey/latchkey/internal/auth/magiclink"
	"github.com/latchkey/latchkey/internal/auth/otp"
	"github.com/latchkey/latchkey/internal/auth/passkeys"
	"github.com/latchkey/latchkey/internal/auth/passwords"
	"github.com/latchkey/latchkey/internal/auth/session"
	"github.com/latchkey/latchkey/internal/auth/totp"
	"github.com/latchkey/latchkey/internal/groups"
	"github.com/latchkey/latchkey/internal/orgs"
	"github.com/latchkey/latchkey/internal/passkey"
)

// buildMethods builds on the core each login method the configuration leaves unset. The
// passkey flows get their protocol work from package passkey, which the domain cannot import,
// so the two meet here.
func (c *Config) buildMethods() {
	if c.Auth == nil {
		return // a server that only lists its routes
	}
	if c.OTP == nil {
		c.OTP = otp.New(c.Auth)
	}
	if c.Links == nil {
		c.Links = magiclink.New(c.Auth)
	}
	if c.Passwords == nil {
		c.Passwords = passwords.New(c.Auth)
	}
	if c.TOTP == nil {
		c.TOTP = totp.New(c.Auth)
	}
	if c.Passkeys == nil {
		c.Passkeys = passkeys.New(c.Auth, passkey.New())
	}
	if c.Sessions == nil {
		c.Sessions = session.New(c.Auth)
	}
	if c.Groups == nil {
		c.Groups = groups.New(c.Auth.Store(), c.Auth.Now)
	}
	if c.Orgs == nil {
		c.Orgs = orgs.New(c.Auth.Store(), c.Auth.Now)
	}
	if c.Grants == nil {
		c.Grants = grant.New(c.Auth)
	}
}
