// Package sealing knows every value Latchkey stores sealed under the master key (signing keys'
// private parts, TOTP keys, tenants' webhook secrets, outbox message bodies, session ids): what each seal is
// bound to, how a node proves at start that its master key opens them, and how an operator
// moves them all to a new master key.
//
// The additional data of each seal binds the ciphertext to its record (and, for a message, to
// its kind and recipient), so a value copied into another record, or a message redirected to
// another address, does not open.
package sealing
