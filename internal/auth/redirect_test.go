package auth

import (
	"testing"

	"github.com/latchkey/latchkey/internal/model"
)

func TestCheckRedirectAcceptsTheClientsAndTheApplicationsURIs(t *testing.T) {
	app := model.Application{ID: "app", TenantID: "t", RedirectURIs: []string{"https://shop.example/app"}}
	client := model.Client{ID: "c", AppID: "app", TenantID: "t", RedirectURIs: []string{"https://shop.example/client"}}
	for _, uri := range []string{"https://shop.example/app", "https://shop.example/client"} {
		if err := CheckRedirect(client, app, uri); err != nil {
			t.Errorf("%s: %v", uri, err)
		}
	}
	other := app
	other.ID = "other"
	for _, c := range []struct {
		name   string
		client model.Client
		app    model.Application
		uri    string
	}{
		{"a prefix of a registered URI", client, app, "https://shop.example/ap"},
		{"a registered URI with more", client, app, "https://shop.example/app/x"},
		{"another case", client, app, "https://SHOP.example/app"},
		{"empty", client, app, ""},
		{"the URI of an application not the client's", client, other, "https://shop.example/app"},
	} {
		if err := CheckRedirect(c.client, c.app, c.uri); err != ErrInvalidRedirect {
			t.Errorf("%s: got %v, want ErrInvalidRedirect", c.name, err)
		}
	}
}
