// Package client is a typed Go client for Latchkey's HTTP API: the backend authentication
// API (passcodes, magic links, passwords, silent login, refresh, logout, introspection), the
// Users API and the administration API (applications, resources, roles, signing keys).
//
// A Client authenticates as one OAuth client with the client-credentials grant. It fetches
// its client access token on first use, keeps it until shortly before it expires, and
// fetches a new one then, or at once when the server refuses it (after the client's secret
// was rotated through another process, say); callers never handle client tokens.
//
// Every error the API answers is returned as an *Error carrying the status, the API's error
// code and messages, whichever of Latchkey's error shapes the route writes (the backend
// authentication shape with a string code, the Users API's numeric one, or OAuth's).
// Operations without a typed method are reachable with Client.Do.
//
// The package depends on the standard library only, so that an application importing it
// takes in nothing of the server.
package client
