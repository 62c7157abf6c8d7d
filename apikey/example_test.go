package apikey_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
)

func ExampleManager() {
	ctx := context.Background()
	m, err := apikey.NewManager(apikey.NewMemoryStore(), apikey.WithPrefix("tg_live_"))
	if err != nil {
		panic(err)
	}
	plaintext, key, err := m.Create(ctx, apikey.Params{Name: "ci", Owner: "acme", Plan: "gold"})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(plaintext, key.Start), len(plaintext))

	verified, err := m.Verify(ctx, plaintext)
	fmt.Println(verified.Owner, verified.Plan, err)

	_, err = m.Verify(ctx, plaintext[:len(plaintext)-1]+"x")
	fmt.Println(errors.Is(err, apikey.ErrMalformed))
	// Output:
	// true 46
	// acme gold <nil>
	// true
}

func ExampleManager_Rotate() {
	ctx := context.Background()
	m, _ := apikey.NewManager(apikey.NewMemoryStore())
	old, key, _ := m.Create(ctx, apikey.Params{Owner: "acme"})

	fresh, _, _ := m.Rotate(ctx, key.ID, 24*time.Hour)
	_, errOld := m.Verify(ctx, old)
	_, errNew := m.Verify(ctx, fresh)
	fmt.Println("during grace:", errOld, errNew)
	// Output:
	// during grace: <nil> <nil>
}

func ExampleAuthenticator_Middleware() {
	m, _ := apikey.NewManager(apikey.NewMemoryStore())
	plaintext, _, _ := m.Create(context.Background(), apikey.Params{Owner: "acme", Plan: "free"})

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Println("owner:", id.Attributes["owner"], "plan:", id.Plan)
		fmt.Fprintln(w, "ok")
	})
	h := apikey.NewAuthenticator(m).Middleware(api)

	for _, key := range []string{plaintext, ""} {
		req := httptest.NewRequest("GET", "/v1/items", nil)
		req.Header.Set("X-API-Key", key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// owner: acme plan: free
	// 200 text/plain; charset=utf-8
	// 401 application/problem+json
}
