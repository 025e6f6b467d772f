package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/token"
)

// The OpenAPI document lists exactly the claims a login may ask for, and names every claim
// Mosaic documents that is refused: the catalog in internal/token is the one source.
func TestOpenAPIClaimsFollowTheCatalog(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				ClaimRequests struct {
					PropertyNames struct {
						Enum []string `json:"enum"`
					} `json:"propertyNames"`
				}
				ClaimsRequest struct {
					Description string `json:"description"`
				}
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(doc.Components.Schemas.ClaimRequests.PropertyNames.Enum)
	slices.Sort(got)
	if want := token.RequestableClaims(); !slices.Equal(got, want) {
		t.Errorf("ClaimRequests lists %v,\nthe catalog %v", got, want)
	}
	for _, name := range token.UnsupportedClaims() {
		if !strings.Contains(doc.Components.Schemas.ClaimsRequest.Description, name) {
			t.Errorf("ClaimsRequest's description does not name the refused claim %s", name)
		}
	}
}
