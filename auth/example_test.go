package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

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

func ExampleNewCustomAuthorizer() {
	calls := 0
	lookup := func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		calls++ // stands in for a call to an identity service
		if r.Header.Get("Authorization") != "Token team-a" {
			return nil, auth.ErrInvalidCredentials
		}
		return &auth.Identity{ID: "team-a", Plan: "pro"}, nil
	}
	a, err := auth.NewCustomAuthorizer(lookup,
		auth.WithIdentitySources(auth.HeaderSource("Authorization")),
		auth.WithResultTTL(5*time.Minute))
	if err != nil {
		panic(err)
	}
	h := auth.NewMiddleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	for _, tok := range []string{"Token team-a", "Token team-a", "Token guess", "Token guess", ""} {
		req := httptest.NewRequest("GET", "/", nil)
		if tok != "" {
			req.Header.Set("Authorization", tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, "calls so far:", calls)
	}
	// Output:
	// 200 calls so far: 1
	// 200 calls so far: 1
	// 401 calls so far: 2
	// 401 calls so far: 2
	// 401 calls so far: 2
}

func ExampleAllOf() {
	apiKey := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		switch r.Header.Get("X-Api-Key") {
		case "":
			return nil, auth.ErrNoCredentials
		case "k-123":
			return &auth.Identity{ID: "key-123", Method: auth.MethodAPIKey, Plan: "gold"}, nil
		}
		return nil, auth.ErrInvalidCredentials
	})
	bearer := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		switch r.Header.Get("Authorization") {
		case "":
			return nil, &auth.Error{Code: "missing_token", Challenge: "Bearer", Err: auth.ErrNoCredentials}
		case "Bearer alice":
			return &auth.Identity{ID: "alice", Method: auth.MethodJWT}, nil
		}
		return nil, auth.ErrInvalidCredentials
	})
	// The token says who the caller is; the API key names the usage plan.
	h := auth.NewMiddleware(auth.AllOf(bearer, apiKey))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Println(id.ID, "on plan", id.Plan)
	}))

	for _, hdr := range []map[string]string{
		{"Authorization": "Bearer alice", "X-Api-Key": "k-123"},
		{"X-Api-Key": "k-123"},
		{},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Printf("%d %q\n", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// alice on plan gold
	// 200 ""
	// 401 "Bearer"
	// 401 "Bearer"
}
