package quota_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkMiddleware compares a bare handler with the same handler behind
// the quota middleware (headers on, and with 5xx refunds), on a memory
// store whose quota never runs out.
func BenchmarkMiddleware(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	q := quota.Quota{Name: "daily", Limit: 1 << 62, Period: quota.Day}
	mw := func(opts ...quota.Option) http.Handler {
		l, err := quota.New(quota.NewMemoryStore(), append(opts, quota.WithQuota(q))...)
		if err != nil {
			b.Fatal(err)
		}
		return l.Middleware()(ok)
	}
	cases := []struct {
		name string
		h    http.Handler
	}{
		{"bare", ok},
		{"quota", mw()},
		{"quota-no-headers", mw(quota.WithoutHeaders())},
		{"quota-refund-5xx", mw(quota.WithRefundServerErrors())},
	}
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "key-1"}))
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &discardWriter{h: make(http.Header)}
			for b.Loop() {
				clear(w.h)
				c.h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkStoreTake compares MemoryStore.Take with a bare mutex-guarded
// map increment, on one hot key and spread over many keys in parallel.
func BenchmarkStoreTake(b *testing.B) {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	var mu sync.Mutex
	bare := map[string]int64{}
	baseline := func(key string) {
		mu.Lock()
		bare[key]++
		mu.Unlock()
	}
	s := quota.NewMemoryStore()
	take := func(key string) {
		bk := quota.Bucket{Quota: "daily", Key: key, Start: day.Unix(), End: day.Unix() + 86400}
		if _, err := s.Take(context.Background(), bk, 1, 1<<62); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		f    func(string)
	}{{"bare-map", baseline}, {"memory", take}} {
		b.Run(c.name+"/one-key", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.f("key-1")
			}
		})
		b.Run(c.name+"/parallel-1024-keys", func(b *testing.B) {
			b.ReportAllocs()
			var n atomic.Uint64
			b.RunParallel(func(pb *testing.PB) {
				i := n.Add(1) * 7919
				for pb.Next() {
					i++
					c.f(keys[i%uint64(len(keys))])
				}
			})
		})
	}
}
