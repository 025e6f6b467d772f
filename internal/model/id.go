package model

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// idEncoding is lower-case base32 without padding: ids stay URL-safe and case-insensitive.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random 128-bit identifier, 26 characters long. Ids are random rather than
// sequential so that they reveal neither how many records exist nor when they were made.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an id made by NewID. Handlers use it to reject
// garbage early; a well-formed id may of course still name nothing.
func ValidID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}
