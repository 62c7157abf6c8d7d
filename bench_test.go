package tollgate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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

// BenchmarkGateInterleaved times the bare handler and the Gate in
// alternating chunks and reports the median of each, so that load on a
// shared machine hits both alike; "added-ns/req" is the Gate's own cost.
func BenchmarkGateInterleaved(b *testing.B) {
	keys, _ := apikey.NewManager(apikey.NewMemoryStore())
	key, _, _ := keys.Create(context.Background(), apikey.Params{Plan: "gold"})
	plans, _ := tollgate.NewPlans(tollgate.Plan{
		Name:     "gold",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1e9, 1e9)},
		Quota:    quota.Quota{Limit: 1 << 60, Period: quota.Month},
	})
	g, _ := tollgate.New(tollgate.Config{Authenticators: []auth.Authenticator{apikey.NewAuthenticator(keys)}, Plans: plans})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	gated := g.Middleware(ok)
	req := httptest.NewRequest("GET", "/v1/items", nil)
	req.Header.Set("X-API-Key", key)
	w := httptest.NewRecorder()
	const chunk = 500
	var bare, gate []float64
	timeChunk := func(h http.Handler) float64 {
		start := time.Now()
		for range chunk {
			clear(w.Header())
			h.ServeHTTP(w, req)
		}
		return float64(time.Since(start).Nanoseconds()) / chunk
	}
	b.ReportAllocs()
	for b.Loop() {
		bare = append(bare, timeChunk(ok))
		gate = append(gate, timeChunk(gated))
	}
	mb, mg := median(bare), median(gate) // median sorts in place; each slice is used once
	b.ReportMetric(mb, "bare-ns/req")
	b.ReportMetric(mg, "gate-ns/req")
	b.ReportMetric(mg-mb, "added-ns/req")
}
