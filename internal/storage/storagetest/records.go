package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// The make* functions return a valid record with every field set, so that round trips cover
// every column; the new* functions also store it.

func makeTenant() model.Tenant {
	id := model.NewID()
	return model.Tenant{
		ID:              id,
		Name:            "tenant-" + id,
		SigningAlg:      model.AlgES256,
		WebhookURL:      "https://hooks.example/" + id,
		WebhookSecret:   randomBytes(48),
		DefaultLanguage: "de",
		CreatedAt:       base,
	}
}

func newTenant(t *testing.T, s storage.Store) model.Tenant {
	t.Helper()
	tn := makeTenant()
	must(t, s.CreateTenant(t.Context(), tn), "create tenant")
	return tn
}

func makeApp(tenantID string) model.Application {
	id := model.NewID()
	brand := model.MessageBranding{From: "Shop <no-reply@shop.example>", Subject: "Your code", PrimaryColor: "#336699"}
	return model.Application{
		ID:                    id,
		TenantID:              tenantID,
		Name:                  "app-" + id,
		Kind:                  model.AppKindStandard,
		Description:           "the shop front",
		RedirectURIs:          []string{"https://shop.example/callback", "https://shop.example/other"},
		AllowPublicSignup:     true,
		EnumerationProtection: true,
		Preferences: model.LoginPreferences{
			EmailOTP:  model.OTPPreferences{ExpiresIn: 7, MaxFailures: 4, LockoutDuration: 30, CodeLength: 8, CrossClientsAllowed: true, Message: brand},
			SMS:       model.OTPPreferences{ExpiresIn: 3, MaxFailures: 2, LockoutDuration: 60, CodeLength: 4},
			MagicLink: model.MagicLinkPreferences{ExpiresIn: 20, LinksPerUser: 2, Message: brand},
			Unimplemented: map[string]json.RawMessage{
				model.MethodGoogle: json.RawMessage(`{"clientId":"g-123","redirectUris":["https://shop.example/g"]}`),
				model.MethodFace:   json.RawMessage(`{"saveImageEmbedding":false,"lockoutTiers":[{"attempts":3,"duration":15}]}`),
			},
		},
		Logo:      "https://shop.example/logo.png",
		CreatedBy: model.NewID(),
		Profile: model.AppProfile{
			ServiceProviders: []string{"sp-1", "sp-2"},
			Authenticator:    model.AuthenticatorPreferences{IsCentralized: true, LoginURI: "https://shop.example/login"},
			LoginURI:         "https://shop.example/signin",
		},
		CreatedAt: base,
		UpdatedAt: at(time.Second),
	}
}

func newApp(t *testing.T, s storage.Store, tenantID string) model.Application {
	t.Helper()
	a := makeApp(tenantID)
	must(t, s.CreateApplication(t.Context(), a), "create application")
	return a
}

func makeClient(tenantID, appID string) model.Client {
	id := model.NewID()
	return model.Client{
		ID:                  id,
		TenantID:            tenantID,
		AppID:               appID,
		Name:                "client-" + id,
		Description:         "web front end",
		SecretHash:          randomBytes(32),
		RedirectURIs:        []string{"https://shop.example/cb"},
		ResourceIDs:         []string{model.NewID(), model.NewID()},
		DefaultCustomClaims: []string{"plan", "region"},
		RoleIDs:             []string{"application", "read-only"},
		AccessTokenTTL:      600,
		RefreshTokenTTL:     86400,
		MaxRefreshRotate:    2592000,
		ClientType:          model.ClientTypeNative,
		SessionExpiration:   604800,
		TokenEpoch:          3,
		CreatedAt:           base,
		UpdatedAt:           at(2 * time.Second),
	}
}

func newClient(t *testing.T, s storage.Store, tenantID, appID string) model.Client {
	t.Helper()
	c := makeClient(tenantID, appID)
	must(t, s.CreateClient(t.Context(), c), "create client")
	// The store gives every client a stamp (model.Client.Stamp); the value returned is the
	// client as stored, stamp included.
	stamp, err := s.ClientStamp(t.Context(), c.ID)
	must(t, err, "client stamp")
	c.Stamp = stamp
	return c
}

func makeResource(tenantID string) model.Resource {
	id := model.NewID()
	return model.Resource{
		ID:               id,
		TenantID:         tenantID,
		URI:              "https://api.example/" + id,
		Name:             "api-" + id,
		Description:      "the orders API",
		AccessTokenTTL:   300,
		RefreshTokenTTL:  7200,
		MaxRefreshRotate: 86400,
		CreatedAt:        base,
		UpdatedAt:        at(3 * time.Second),
	}
}

func newResource(t *testing.T, s storage.Store, tenantID string) model.Resource {
	t.Helper()
	r := makeResource(tenantID)
	must(t, s.CreateResource(t.Context(), r), "create resource")
	return r
}

func makeKey(tenantID string, created time.Time) model.SigningKey {
	return model.SigningKey{
		ID:         model.NewID(),
		TenantID:   tenantID,
		Algorithm:  model.AlgES256,
		Status:     model.KeyValidating,
		PublicJWK:  []byte(`{"kty":"EC","crv":"P-256","x":"AQ","y":"Ag"}`),
		PrivateEnc: randomBytes(64),
		Name:       "key made " + created.Format(time.RFC3339),
		Uploaded:   true,
		CreatedAt:  created,
		UpdatedAt:  created.Add(time.Minute),
	}
}

func makeUser(tenantID string) model.User {
	id := model.NewID()
	return model.User{
		ID:              id,
		TenantID:        tenantID,
		Email:           id + "@example.com",
		EmailVerifiedAt: ptr(at(-time.Hour)),
		PhoneNumber:     newPhone(),
		PhoneVerifiedAt: ptr(at(-2 * time.Hour)),
		Username:        "user-" + id,
		ExternalUserID:  "ext-" + id,
		Name:            model.Name{Title: "Dr", FirstName: "Ada", LastName: "Lovelace", MiddleName: "King"},
		Address: model.Address{Country: "GB", State: "London", City: "London",
			StreetAddress: "12 St James's Square", PostalCode: "SW1Y 4JH", Type: "Home"},
		Birthday:         "1815-12-10",
		Picture:          "https://pics.example/" + id + ".png",
		Language:         "en-GB",
		SecondaryEmails:  []string{"ada@old.example", "a.lovelace@work.example"},
		SecondaryPhones:  []string{"+441234567890"},
		CustomData:       json.RawMessage(`{"plan":"gold","seats":3,"tags":["a","b"],"nested":{"x":true}}`),
		Status:           model.UserActive,
		CreatedAt:        base,
		UpdatedAt:        at(time.Minute),
		LastAuthAt:       ptr(at(30 * time.Second)),
		StatusChangedAt:  ptr(at(20 * time.Second)),
		AddressUpdatedAt: ptr(at(10 * time.Second)),
		SecondaryVerifiedAt: map[string]time.Time{
			"ada@old.example": at(-3 * time.Hour), "+441234567890": at(-4 * time.Hour),
		},
	}
}

func newUser(t *testing.T, s storage.Store, tenantID string) model.User {
	t.Helper()
	u := makeUser(tenantID)
	must(t, s.CreateUser(t.Context(), u), "create user")
	return u
}

func makeAppUser(e env) model.AppUser {
	return model.AppUser{
		TenantID:          e.Tenant.ID,
		AppID:             e.App.ID,
		UserID:            e.User.ID,
		CustomAppData:     json.RawMessage(`{"role":"admin","level":2}`),
		CreatedAt:         base,
		ExternalAccountID: "acct-" + e.User.ID,
	}
}

func makeCode(e env) model.OneTimeCode {
	return model.OneTimeCode{
		ID:             model.NewID(),
		TenantID:       e.Tenant.ID,
		AppID:          e.App.ID,
		ClientID:       e.Client.ID,
		UserID:         e.User.ID,
		Purpose:        model.PurposeOTP,
		Channel:        model.ChannelEmail,
		IdentifierType: model.IdentifierEmail,
		Identifier:     e.User.Email,
		Destination:    e.User.Email,
		CodeHash:       randomBytes(32),
		RequestID:      "req-" + model.NewID(),
		ApprovalData:   json.RawMessage(`{"payee":"Acme Ltd","amount":"120.50","currency":"EUR"}`),
		Payload:        json.RawMessage(`{"challenge":"c2VjcmV0","allowed":["a","b"],"uv":true}`),
		Failures:       1,
		MaxFailures:    5,
		ExpiresAt:      at(5 * time.Minute),
		CreatedAt:      base,
	}
}

func newCode(t *testing.T, s storage.Store, c model.OneTimeCode) model.OneTimeCode {
	t.Helper()
	must(t, s.CreateCode(t.Context(), c), "create code")
	return c
}

func makeSession(e env) model.Session {
	return model.Session{
		ID:       model.NewID(),
		TenantID: e.Tenant.ID,
		UserID:   e.User.ID,
		AppID:    e.App.ID,
		ClientID: e.Client.ID,
		Factors: []model.Factor{
			{Method: model.AMREmailOTP, At: base},
			{Method: model.AMRTOTP, At: at(10 * time.Second)},
		},
		ClientAttributes: model.ClientAttributes{UserAgent: "Mozilla/5.0 (X11)", IPAddress: "203.0.113.7", DeviceID: "device-7", OrgID: "org-3"},
		CreatedAt:        base,
		LastSeenAt:       at(time.Minute),
		ExpiresAt:        at(24 * time.Hour),
		SealedID:         []byte("sealed session id"),
	}
}

func newSession(t *testing.T, s storage.Store, sess model.Session) model.Session {
	t.Helper()
	must(t, s.CreateSession(t.Context(), sess), "create session")
	return sess
}

func makeRefresh(e env, sessionID string) model.RefreshToken {
	return model.RefreshToken{
		ID:        model.NewID(),
		TenantID:  e.Tenant.ID,
		FamilyID:  model.NewID(),
		SessionID: sessionID,
		ClientID:  e.Client.ID,
		UserID:    e.User.ID,
		TokenHash: randomBytes(32),
		Resource:  "https://api.example/orders",
		Scope:     "openid offline_access",
		ExpiresAt: at(30 * 24 * time.Hour),
		// The family's end: every column of a token is round-tripped.
		FamilyExpiresAt: at(90 * 24 * time.Hour),
		CreatedAt:       base,
	}
}

func newRefresh(t *testing.T, s storage.Store, rt model.RefreshToken) model.RefreshToken {
	t.Helper()
	must(t, s.CreateRefreshToken(t.Context(), rt), "create refresh token")
	return rt
}

func makeMessage(tenantID string, created time.Time) model.OutboxMessage {
	id := model.NewID()
	return model.OutboxMessage{
		ID:            id,
		TenantID:      tenantID,
		Kind:          model.MessageEmail,
		To:            id + "@example.com",
		From:          "Shop <no-reply@shop.example>",
		Sealed:        []byte("sealed subject and body, opaque to the store"),
		NextAttemptAt: created,
		CreatedAt:     created,
	}
}

func newMessage(t *testing.T, s storage.Store, m model.OutboxMessage) model.OutboxMessage {
	t.Helper()
	must(t, s.EnqueueMessage(t.Context(), m), "enqueue message")
	return m
}
