package middleware_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/latchkey/latchkey/sdk/middleware"
)

// A resource server for documents: reading needs a user access token issued for the API's
// resource, editing needs the documents:write permission from the user's roles. Logins ask for
// the resource and the permissions claim:
//
//	"resource": "https://api.example.com",
//	"claims": {"access_token": {"permissions": null}}
func ExampleVerifier_Require() {
	v, err := middleware.New(middleware.Config{
		Issuer:   "https://auth.example.com", // Latchkey's public URL
		Audience: "https://api.example.com",  // the resource's URI
	})
	if err != nil {
		log.Fatal(err)
	}
	read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := middleware.ClaimsFrom(r.Context())
		fmt.Fprintf(w, "documents of %s\n", claims.Subject)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /documents", v.Require()(read))
	mux.Handle("PUT /documents/{id}", v.Require(middleware.Permissions("documents:write"))(read))

	// Refusals need no key: a request without a token, and one whose token is not a JWT.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/documents", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))

	rec = httptest.NewRecorder()
	req := httptest.NewRequest("PUT", "/documents/7", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 401 Bearer
	// 401
}

// Verify checks a token outside an HTTP handler, in a message consumer say.
func ExampleVerifier_Verify() {
	v, err := middleware.New(middleware.Config{Issuer: "https://auth.example.com", Audience: "https://api.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.Verify(context.Background(), "eyJhbGciOiJub25lIn0.e30.") // alg none: refused before any key is fetched
	fmt.Println(err != nil)
	// Output: true
}
