// Package magiclink is sign-in by magic link, Mosaic's email magic links: a link to one of the
// client's redirect URIs, sent by email (branded, with the application's texts) or returned to
// the backend (the direct channel), whose code is redeemed once within its expiry. A link may
// sign the user up, verify their address, or add a factor to a session.
package magiclink
