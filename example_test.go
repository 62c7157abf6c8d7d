package tollgate_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// Example puts an API behind API keys and a usage plan of 2 requests at
// once, 1 per second, and 1000 per day.
func Example() {
	keys, _ := apikey.NewManager(apikey.NewMemoryStore())
	key, _, _ := keys.Create(context.Background(), apikey.Params{Owner: "acme", Plan: "basic"})

	plans, _ := tollgate.NewPlans(tollgate.Plan{
		Name:     "basic",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1, 2)},
		Quota:    quota.Quota{Limit: 1000, Period: quota.Day},
	})
	gate, err := tollgate.New(tollgate.Config{
		Authenticators: []auth.Authenticator{apikey.NewAuthenticator(keys)},
		Plans:          plans,
	})
	if err != nil {
		panic(err)
	}
	api := gate.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))

	for range 3 {
		req := httptest.NewRequest("GET", "/v1/hello", nil)
		req.Header.Set("X-API-Key", key)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("RateLimit-Policy"))
	}
	// Output:
	// 200 second;q=2;w=2, basic;q=1000;w=86400
	// 200 second;q=2;w=2, basic;q=1000;w=86400
	// 429 second;q=2;w=2
}
