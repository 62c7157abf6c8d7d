package usage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/usage"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkMiddleware compares a handler behind the metering middleware
// with the bare handler, serially and with every core writing.
func BenchmarkMiddleware(b *testing.B) {
	hello := []byte("hello")
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(hello) })
	m, err := usage.NewMeter(usage.NewMemoryStore(), usage.WithFlushInterval(time.Hour), usage.WithFlushSize(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = m.Close(context.Background()) }()
	metered := m.Middleware(bare)
	req := httptest.NewRequest("GET", "/items/1", nil)
	req.Pattern = "GET /items/{id}"
	req = req.WithContext(auth.NewContext(req.Context(), &auth.Identity{ID: "key-1", Plan: "gold"}))

	// clock is the floor the meter cannot go under: the two monotonic
	// clock reads that time a request (costly on some virtual machines).
	epoch := time.Now()
	clock := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := epoch.Add(time.Since(epoch))
		bare(w, r)
		_ = time.Since(start)
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"clock", clock}, {"metered", metered}} {
		b.Run(c.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(w, req)
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &discard{h: http.Header{}}
				for pb.Next() {
					c.h.ServeHTTP(w, req)
				}
			})
		})
	}
}
