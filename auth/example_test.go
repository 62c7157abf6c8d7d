package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate/auth"
)

func ExampleMiddleware() {
	token := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		switch r.Header.Get("X-Token") {
		case "":
			return nil, auth.ErrNoCredentials
		case "s3cret":
			return &auth.Identity{ID: "service-a", Method: auth.MethodCustom, Plan: "internal"}, nil
		}
		return nil, auth.ErrInvalidCredentials
	})
	h := auth.Middleware(token)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Println("hello", id.ID, "on plan", id.Plan)
	}))

	for _, tok := range []string{"s3cret", "guess", ""} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Token", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// hello service-a on plan internal
	// 200
	// 401
	// 401
}
