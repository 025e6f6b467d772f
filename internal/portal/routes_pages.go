package portal

// Landing is the page an administrator starts on: the overview.
const Landing = Prefix + "/overview"

// moreRoutes registers the overview, the signing keys, the tenant's settings and the pages
// that change users and their credentials.
func (p *Portal) moreRoutes() {
	m := p.mux
	m.Handle("GET "+Prefix+"/overview", p.admin(p.overview))

	m.Handle("GET "+Prefix+"/keys", p.admin(p.listKeys))
	m.Handle("GET "+Prefix+"/keys/rotate", p.admin(p.confirmRotate))
	m.Handle("POST "+Prefix+"/keys/rotate", p.admin(p.rotateKeys))

	m.Handle("GET "+Prefix+"/settings", p.admin(p.showSettings))
	m.Handle("POST "+Prefix+"/settings/language", p.admin(p.saveLanguage))
	m.Handle("POST "+Prefix+"/settings/webhook", p.admin(p.saveWebhook))
	m.Handle("POST "+Prefix+"/settings/webhook/delete", p.admin(p.deleteWebhook))
	m.Handle("POST "+Prefix+"/settings/apps/{app}", p.admin(p.saveSecurity))

	m.Handle("GET "+Prefix+"/users/new", p.admin(p.newUser))
	m.Handle("POST "+Prefix+"/users", p.admin(p.createUser))
	m.Handle("POST "+Prefix+"/users/{user}", p.admin(p.updateUser))
	m.Handle("POST "+Prefix+"/users/{user}/verify", p.admin(p.verifyAddress))
	m.Handle("POST "+Prefix+"/users/{user}/password", p.admin(p.setPassword))
	m.Handle("POST "+Prefix+"/users/{user}/totp/{totp}/delete", p.admin(p.deleteTOTP))
	m.Handle("POST "+Prefix+"/users/{user}/passkeys/delete", p.admin(p.deletePasskey))
}
