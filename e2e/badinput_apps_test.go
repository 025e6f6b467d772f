package e2e

import "strings"

// appBodyRoutes are the Applications API routes with a JSON body: applications, clients,
// resources, login preferences and signing keys.
var appBodyRoutes = map[string]jsonRoute{
	"POST /cis/v1/applications": {
		admin: true, path: fixedPath("/cis/v1/applications"), fields: appFields,
		several: map[string]any{"kind": "weird", "redirect_uris": []string{"not a uri"}, "logo": "a\nb", "client_type": "desktop"},
		wants:   []string{"app_name", "kind", "redirect_uris", "logo", "client_type"},
	},
	"PUT /cis/v1/applications/{appId}": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app }, fields: appFields,
		several: map[string]any{"app_name": "", "kind": "weird", "redirect_uris": []string{"ftp://x.example/"},
			"login_uri": strings.Repeat("u", 3000), "client_display_name": " "},
		wants: []string{"app_name", "kind", "redirect_uris", "login_uri", "client_display_name"},
	},
	"PUT /cis/v1/applications/{appId}/resources": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/resources" },
		fields:  map[string]string{"resource_ids": "array"},
		several: map[string]any{"resource_ids": []string{"nosuchresource1", "nosuchresource2"}},
		wants:   []string{"nosuchresource1", "nosuchresource2"},
	},
	"POST /cis/v1/applications/{appId}/clients": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/clients" },
		fields: clientFields,
		several: map[string]any{"redirect_uris": []string{"nope"}, "default_custom_claims": []string{"nope"}, "session_expiration": -1,
			"client_type": "desktop", "authentication_protocol": "saml"},
		wants: []string{"name", "redirect_uris", "default_custom_claims", "session_expiration", "client_type", "authentication_protocol"},
	},
	"PUT /cis/v1/applications/{appId}/clients/{clientId}": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/applications/" + ids.app + "/clients/" + ids.client },
		fields: clientFields,
		several: map[string]any{"name": "", "token_expiration": map[string]any{"access_token_ttl": -1, "refresh_token_ttl": -1,
			"max_refresh_rotate": 5}},
		wants: []string{"name", "access_token_ttl", "refresh_token_ttl", "max_refresh_rotate"},
	},
	"PUT /cis/v1/applications/{appId}/clients/{clientId}/resources": {
		admin: true, path: func(ids badInputIDs) string {
			return "/cis/v1/applications/" + ids.app + "/clients/" + ids.client + "/resources"
		},
		fields:  map[string]string{"resource_ids": "array"},
		several: map[string]any{"resource_ids": []string{"nosuchresource1", "nosuchresource2"}},
		wants:   []string{"nosuchresource1", "nosuchresource2"},
	},
	"POST /cis/v1/resources": {
		admin: true, path: fixedPath("/cis/v1/resources"), fields: resourceFields,
		several: map[string]any{"uri": "not a uri", "access_token_ttl": -5, "refresh_token_ttl": 1, "max_refresh_rotate": -1},
		wants:   []string{"uri", "access_token_ttl", "refresh_token_ttl", "max_refresh_rotate"},
	},
	"PUT /cis/v1/resources/{resourceId}": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/v1/resources/" + ids.resource }, fields: resourceFields,
		several: map[string]any{"uri": "", "access_token_ttl": 1 << 30},
		wants:   []string{"uri", "access_token_ttl"},
	},
	"PUT /cis/loginPreferences/{appId}/authMethods": {
		admin: true, path: func(ids badInputIDs) string { return "/cis/loginPreferences/" + ids.app + "/authMethods" },
		fields: map[string]string{"email_otp": "object", "email_otp.expiresIn": "number", "email_otp.crossClientsAllowed": "bool",
			"sms": "object", "email": "object", "email.linksPerUser": "number", "email.message": "object", "email.message.subject": "string",
			"google": "object", "google.clientId": "string", "google.redirectUris": "array", "apple": "object", "push": "object",
			"face": "object", "face.saveImageEmbedding": "bool", "pin_authenticator": "object", "pin_authenticator.maxFailures": "number"},
		several: map[string]any{"email_otp": map[string]any{"maxFailures": 100, "codeLength": 2}, "password": map[string]any{"requireMFA": true},
			"apple": map[string]any{"clientId": "a"}},
		wants: []string{"maxFailures", "codeLength", "requireMFA", "appleTeamId"},
	},
	"POST /cis/v1/applications/signing-keys": {
		admin: true, path: fixedPath("/cis/v1/applications/signing-keys"), fields: map[string]string{"name": "string"},
	},
	"POST /cis/v1/applications/signing-keys/upload": {
		admin: true, path: fixedPath("/cis/v1/applications/signing-keys/upload"),
		fields: map[string]string{"name": "string", "jwk": "object"},
	},
	"PUT /cis/v1/applications/signing-keys/{id}": {
		admin: true, path: fixedPath("/cis/v1/applications/signing-keys/nosuchkey"),
		fields: map[string]string{"name": "string", "status": "string"},
	},
}

var (
	appFields = map[string]string{"app_name": "string", "kind": "string", "app_description": "string",
		"redirect_uris": "array", "allow_public_signup": "bool", "enumeration_protection": "bool", "logo": "string",
		"service_providers": "array", "authenticator_preferences": "object", "authenticator_preferences.is_centralized": "bool",
		"login_uri": "string", "client_display_name": "string", "client_description": "string", "client_type": "string",
		"resources": "array"}
	clientFields = map[string]string{"name": "string", "description": "string", "redirect_uris": "array",
		"resources": "array", "default_custom_claims": "array", "token_expiration": "object", "client_type": "string",
		"token_expiration.access_token_ttl": "number", "token_expiration.max_refresh_rotate": "number", "session_expiration": "number",
		"authentication_protocol": "string"}
	resourceFields = map[string]string{"uri": "string", "name": "string", "description": "string", "access_token_ttl": "number",
		"refresh_token_ttl": "number", "max_refresh_rotate": "number"}
)
