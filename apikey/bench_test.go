package apikey_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/apikey"
)

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	m, err := apikey.NewManager(apikey.NewMemoryStore())
	if err != nil {
		b.Fatal(err)
	}
	plain, _, err := m.Create(ctx, apikey.Params{Owner: "alice", Plan: "gold"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cache-hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Verify(ctx, plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cache-hit-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := m.Verify(ctx, plain); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkMiddleware measures what the key middleware adds to a request
// over the bare handler, in the same run.
func BenchmarkMiddleware(b *testing.B) {
	m, _ := apikey.NewManager(apikey.NewMemoryStore())
	plain, _, _ := m.Create(context.Background(), apikey.Params{Owner: "alice"})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest("GET", "/v1/things", nil)
	req.Header.Set("X-API-Key", plain)
	w := httptest.NewRecorder()
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", ok},
		{"apikey", apikey.NewAuthenticator(m).Middleware(ok)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}
