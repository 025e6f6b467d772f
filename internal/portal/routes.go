package portal

import (
	"io/fs"
	"net/http"
)

func (p *Portal) routes() {
	m := p.mux
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix(Prefix+"/static/", http.FileServerFS(static))
	m.Handle("GET "+Prefix+"/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The files change only with the binary; an hour's caching spares every page load.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Landing, http.StatusSeeOther)
	})
	m.HandleFunc("GET "+Prefix+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Landing, http.StatusSeeOther)
	})

	m.HandleFunc("GET "+Prefix+"/signin", p.signInPage)
	m.HandleFunc("POST "+Prefix+"/signin", p.sendCode)
	m.HandleFunc("GET "+Prefix+"/signin/code", p.codePage)
	m.HandleFunc("POST "+Prefix+"/signin/code", p.redeemCode)
	m.HandleFunc("POST "+Prefix+"/signin/password", p.passwordStep)
	m.HandleFunc("POST "+Prefix+"/signin/passkey/start", p.startPasskeySignIn)
	m.HandleFunc("POST "+Prefix+"/signin/passkey", p.passkeySignIn)
	m.HandleFunc("GET "+Prefix+"/signin/totp", p.totpPage)
	m.HandleFunc("POST "+Prefix+"/signin/totp", p.totpStep)
	m.HandleFunc("GET "+Prefix+"/setup", p.setupPage)
	m.HandleFunc("POST "+Prefix+"/setup", p.setup)
	m.Handle("POST "+Prefix+"/signout", p.admin(p.signOut))

	m.Handle("GET "+Prefix+"/apps", p.admin(p.listApps))
	m.Handle("GET "+Prefix+"/apps/new", p.admin(p.newApp))
	m.Handle("POST "+Prefix+"/apps", p.admin(p.createApp))
	m.Handle("GET "+Prefix+"/apps/{app}", p.admin(p.showApp))
	m.Handle("POST "+Prefix+"/apps/{app}", p.admin(p.updateApp))
	m.Handle("GET "+Prefix+"/apps/{app}/delete", p.admin(p.confirmDeleteApp))
	m.Handle("POST "+Prefix+"/apps/{app}/delete", p.admin(p.deleteApp))

	m.Handle("POST "+Prefix+"/apps/{app}/clients", p.admin(p.createClient))
	m.Handle("GET "+Prefix+"/apps/{app}/clients/{client}", p.admin(p.showClient))
	m.Handle("POST "+Prefix+"/apps/{app}/clients/{client}", p.admin(p.updateClient))
	m.Handle("POST "+Prefix+"/apps/{app}/clients/{client}/secret", p.admin(p.rotateSecret))
	m.Handle("GET "+Prefix+"/apps/{app}/clients/{client}/delete", p.admin(p.confirmDeleteClient))
	m.Handle("POST "+Prefix+"/apps/{app}/clients/{client}/delete", p.admin(p.deleteClient))

	m.Handle("GET "+Prefix+"/apps/{app}/login", p.admin(p.showPrefs))
	m.Handle("POST "+Prefix+"/apps/{app}/login", p.admin(p.savePrefs))
	m.Handle("GET "+Prefix+"/apps/{app}/login/preview", p.admin(p.preview))

	m.Handle("GET "+Prefix+"/users", p.admin(p.listUsers))
	m.Handle("GET "+Prefix+"/users/{user}", p.admin(p.showUser))
	m.Handle("POST "+Prefix+"/users/{user}/sessions/revoke", p.admin(p.revokeSessions))
	m.Handle("POST "+Prefix+"/users/{user}/status", p.admin(p.setUserStatus))
	m.Handle("GET "+Prefix+"/audit", p.admin(p.auditLog))
	p.moreRoutes()

	m.Handle("GET "+Prefix+"/account", p.admin(p.showAccount))
	m.Handle("POST "+Prefix+"/account/password", p.admin(p.setOwnPassword))
	m.Handle("POST "+Prefix+"/account/totp", p.admin(p.addTOTP))
	m.Handle("POST "+Prefix+"/account/totp/confirm", p.admin(p.confirmTOTP))
	m.Handle("POST "+Prefix+"/account/methods", p.admin(p.saveMethods))
	m.Handle("POST "+Prefix+"/account/passkeys/start", p.admin(p.startPasskey))
	m.Handle("POST "+Prefix+"/account/passkeys", p.admin(p.addPasskey))

	m.Handle("GET "+Prefix+"/invites", p.admin(p.listInvites))
	m.Handle("POST "+Prefix+"/invites", p.admin(p.invite))
	m.Handle("POST "+Prefix+"/invites/{invite}/revoke", p.admin(p.revokeInvite))
	m.HandleFunc("GET "+Prefix+"/invite", p.invitePage)
	m.HandleFunc("POST "+Prefix+"/invite", p.acceptInvite)

	m.HandleFunc("GET "+Prefix+"/operator", p.operatorLinkPage)
	m.HandleFunc("POST "+Prefix+"/operator", p.redeemOperatorLink)
	m.Handle("GET "+Prefix+"/operator/tenants", p.operator(p.operatorTenants))
	m.Handle("POST "+Prefix+"/operator/tenants", p.operator(p.createTenant))
	m.Handle("POST "+Prefix+"/operator/signout", p.operator(p.operatorSignOut))

	m.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "error", view{Title: "Not found", Problems: []string{"There is no such page in the admin portal."}})
	})
}
