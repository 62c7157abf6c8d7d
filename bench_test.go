package tollgate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// BenchmarkGate measures what the whole facade (API key, plan, throttle,
// quota, rate limit fields) adds to a request over the bare handler, in
// the same run. The limits are high enough that every request passes.
func BenchmarkGate(b *testing.B) {
	keys, _ := apikey.NewManager(apikey.NewMemoryStore())
	key, _, _ := keys.Create(context.Background(), apikey.Params{Plan: "gold"})
	plans, err := tollgate.NewPlans(tollgate.Plan{
		Name:     "gold",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1e9, 1e9)},
		Quota:    quota.Quota{Limit: 1 << 60, Period: quota.Month},
	})
	if err != nil {
		b.Fatal(err)
	}
	g, err := tollgate.New(tollgate.Config{Authenticators: []auth.Authenticator{apikey.NewAuthenticator(keys)}, Plans: plans})
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest("GET", "/v1/items", nil)
	req.Header.Set("X-API-Key", key)
	w := httptest.NewRecorder()
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", ok},
		{"gate", g.Middleware(ok)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				clear(w.Header())
				bc.h.ServeHTTP(w, req)
			}
			if w.Code != http.StatusNoContent {
				b.Fatalf("status %d", w.Code)
			}
		})
	}
}
