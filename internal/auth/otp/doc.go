// Package otp is sign-in by one-time passcode, Mosaic's sendOTP and authenticateOTP: a code
// sent by email or SMS, or returned to the backend to deliver itself (the direct channel), and
// redeemed once within its expiry and attempt limit. Redeeming a code may sign the user up
// (public sign-up), verify the address it went to, add a factor to a session, or approve a
// transaction (approval data).
package otp
