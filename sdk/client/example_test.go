package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/latchkey/latchkey/sdk/client"
)

// The examples need a running server (latchkey serve prints the credentials on its first
// start); the end-to-end tests run the same calls against one.

// A passcode login: send a code, redeem it, get the user's tokens.
func Example() {
	ctx := context.Background()
	lk, err := client.New(client.Config{
		BaseURL:      "http://localhost:8080",
		ClientID:     "…", // the application's client
		ClientSecret: "…",
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := lk.CreateUser(ctx, client.NewUser{Email: "ada@example.com"}); err != nil && !client.HasCode(err, "user_already_exists") {
		log.Fatal(err)
	}
	// The direct channel returns the code instead of emailing it.
	sent, err := lk.SendOTP(ctx, client.OTPSend{Channel: client.ChannelDirect, IdentifierType: client.IdentifierEmail, Identifier: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := lk.AuthenticateOTP(ctx, client.OTPLogin{
		Passcode: sent.Code, IdentifierType: client.IdentifierEmail, Identifier: "ada@example.com",
		Login: client.Login{Claims: &client.Claims{IDToken: map[string]any{"email": nil}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens.SessionID != "")
}

// Errors carry the API's code.
func ExampleError() {
	ctx := context.Background()
	lk, err := client.New(client.Config{BaseURL: "http://localhost:8080", ClientID: "…", ClientSecret: "…"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = lk.AuthenticatePassword(ctx, client.PasswordLogin{Username: "ada", Password: "wrong"})
	var apiErr *client.Error
	switch {
	case client.HasCode(err, "auth_invalid_credentials"):
		fmt.Println("wrong name or password")
	case client.HasCode(err, "auth_locked"):
		fmt.Println("locked")
	case errors.As(err, &apiErr):
		fmt.Println("refused:", apiErr.Status, apiErr.Code, apiErr.Messages)
	}
}

// An administrator sets up an API: a resource, an application whose tokens may be issued for
// it, and a role whose permission the API checks.
func ExampleClient_CreateResource() {
	ctx := context.Background()
	admin, err := client.New(client.Config{BaseURL: "http://localhost:8080", ClientID: "…", ClientSecret: "…"}) // the management application's client
	if err != nil {
		log.Fatal(err)
	}
	res, err := admin.CreateResource(ctx, client.NewResource{URI: "https://api.example.com", Name: "Documents API"})
	if err != nil {
		log.Fatal(err)
	}
	app, err := admin.CreateApplication(ctx, client.NewApplication{AppName: "Docs", Resources: []string{res.ResourceID}})
	if err != nil {
		log.Fatal(err)
	}
	role, err := admin.CreateRole(ctx, app.AppID, client.NewRole{RoleName: "editor", Permissions: []string{"documents:write"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.ClientID, app.ClientSecret != "", role.RoleID)
}
