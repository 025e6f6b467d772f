// Package portal is the admin portal: the pages under /admin from which a tenant's
// administrators run it in a browser.
//
// It is an HTTP edge like package httpapi, beside it rather than inside it: it renders
// html/template pages from embedded files, with a little JavaScript that improves them when it
// runs (copying a secret, the live email preview) and is never needed to use them. Every rule
// stays in the domain: the portal calls the services the API calls (tenancy, directory, audit,
// token's key management, auth's session, password, TOTP and passkey flows), and who is an
// administrator, their sign-in and their session limits live in package admins.
//
// Security: the session cookie is Secure, HttpOnly and SameSite=Strict; every change is a POST
// carrying the session's CSRF token and coming from the portal's own origin; every page is
// sent with a Content-Security-Policy that allows only the portal's own script and style
// files; and every change is written to the audit log with the administrator's identity.
package portal
