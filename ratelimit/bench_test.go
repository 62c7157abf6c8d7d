package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/ratelimit"
)

// BenchmarkHotKey compares one take on one key with the baseline,
// golang.org/x/time/rate's Limiter.Allow, each reading its own default
// clock; "memory-store-time-now" is the store fed time.Now, to separate
// the store from the clock.
func BenchmarkHotKey(b *testing.B) {
	b.Run("x-time-rate", func(b *testing.B) {
		lim := rate.NewLimiter(1, 1e9)
		b.ReportAllocs()
		for b.Loop() {
			lim.Allow()
		}
	})
	b.Run("memory-store-time-now", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(0)
		ctx := context.Background()
		req := ratelimit.TakeRequest{Key: "user-42", Counters: []ratelimit.Counter{{Bucket: "b", Limit: benchLimit}}, Cost: 1}
		b.ReportAllocs()
		for b.Loop() {
			req.Now = time.Now()
			_, _ = s.Take(ctx, req)
		}
	})
	// The same pair given a fixed time, which leaves only the arithmetic
	// and the locking.
	now := time.Now()
	b.Run("x-time-rate-fixed-now", func(b *testing.B) {
		lim := rate.NewLimiter(1, 1e9)
		b.ReportAllocs()
		for b.Loop() {
			lim.AllowN(now, 1)
		}
	})
	b.Run("memory-store-fixed-now", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(0)
		ctx := context.Background()
		req := ratelimit.TakeRequest{Key: "user-42", Counters: []ratelimit.Counter{{Bucket: "b", Limit: benchLimit}}, Cost: 1, Now: now}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = s.Take(ctx, req)
		}
	})
	b.Run("limiter", func(b *testing.B) {
		l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_, _ = l.Allow(ctx, "user-42")
		}
	})
}

// benchLimit never refuses during a benchmark yet keeps its counters
// busy for hours, so that none is dropped as idle.
var benchLimit = ratelimit.PerSecond(1, 1e9)

const manyKeys = 10_000

var keys = func() []string {
	ks := make([]string, manyKeys)
	for i := range ks {
		ks[i] = "user-" + strconv.Itoa(i)
	}
	return ks
}()

// syncMapAllow is the many-keys baseline: a rate.Limiter per key in a
// sync.Map, made on first use.
func syncMapAllow(m *sync.Map, key string) {
	v, ok := m.Load(key)
	if !ok {
		v, _ = m.LoadOrStore(key, rate.NewLimiter(1, 1e9))
	}
	v.(*rate.Limiter).Allow()
}

// BenchmarkManyKeys compares takes spread over 10k keys from all CPUs
// with the baseline, a sync.Map of rate.Limiters (which never forgets a
// key). "memory-store" is given the time before it looks the key up, as
// the Store interface has it; on machines whose clock read is a fence
// (kvm-clock VMs) the lookup's cache misses then no longer overlap with
// it. "limiter" reads the clock after the lookup, as rate.Limiter does.
func BenchmarkManyKeys(b *testing.B) {
	b.Run("sync-map-x-time-rate", func(b *testing.B) {
		var m sync.Map
		parallelKeys(b, func(_ context.Context, key string) { syncMapAllow(&m, key) })
	})
	b.Run("memory-store", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(0)
		counters := []ratelimit.Counter{{Bucket: "b", Limit: benchLimit}}
		parallelKeys(b, func(ctx context.Context, key string) {
			_, _ = s.Take(ctx, ratelimit.TakeRequest{Key: key, Counters: counters, Cost: 1, Now: time.Now()})
		})
	})
	// The limiter reads the clock itself, as rate.Limiter does, after it
	// has found the key.
	b.Run("limiter", func(b *testing.B) {
		l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit})
		parallelKeys(b, func(ctx context.Context, key string) { _, _ = l.Allow(ctx, key) })
	})
}

// parallelKeys runs take from every CPU, each goroutine walking the 10k
// keys from its own starting point.
func parallelKeys(b *testing.B, take func(ctx context.Context, key string)) {
	var seq atomic.Uint32
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		ctx := context.Background()
		for pb.Next() {
			take(ctx, keys[i%manyKeys])
			i++
		}
	})
}

// discardWriter is a ResponseWriter reused across iterations (its header
// map keeps its keys, whose values each request overwrites), so that the
// benchmark measures the middleware and not a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkMiddleware compares a bare handler with the same handler
// behind the limiter, headers included.
func BenchmarkMiddleware(b *testing.B) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r := httptest.NewRequest(http.MethodGet, "/items", nil)
	r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "user-42"}))
	w := &discardWriter{h: http.Header{}}
	run := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare) })
	b.Run("ratelimit", func(b *testing.B) {
		l, err := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit, ratelimit.PerHour(1 << 40)})
		if err != nil {
			b.Fatal(err)
		}
		run(b, l.Middleware(bare))
	})
}

// benchPair times baseline and ours in alternating chunks of chunk calls,
// so that noise from other processes on a shared machine hits both alike,
// and reports each one's median ns per call and the median ratio of ours
// to baseline ("x-baseline"). ns/op is per chunk pair and means little.
func benchPair(b *testing.B, baseline, ours func()) {
	const chunk = 1000
	var base, mine, ratios []float64
	timeChunk := func(f func()) float64 {
		start := time.Now()
		for range chunk {
			f()
		}
		return float64(time.Since(start)) / chunk
	}
	for b.Loop() {
		x, y := timeChunk(baseline), timeChunk(ours)
		base, mine, ratios = append(base, x), append(mine, y), append(ratios, y/x)
	}
	b.ReportMetric(median(base), "baseline-ns/call")
	b.ReportMetric(median(mine), "ns/call")
	b.ReportMetric(median(ratios), "x-baseline")
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkInterleaved is the benchmarks above as ratios measured in
// alternating chunks, which stay readable on a busy machine.
func BenchmarkInterleaved(b *testing.B) {
	ctx := context.Background()
	b.Run("hot-key-limiter-vs-x-time-rate", func(b *testing.B) {
		lim := rate.NewLimiter(1, 1e9)
		l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit})
		benchPair(b, func() { lim.Allow() }, func() { _, _ = l.Allow(ctx, "user-42") })
	})
	b.Run("hot-key-store-vs-x-time-rate-fixed-now", func(b *testing.B) {
		now := time.Now()
		lim := rate.NewLimiter(1, 1e9)
		s := ratelimit.NewMemoryStore(0)
		req := ratelimit.TakeRequest{Key: "user-42", Counters: []ratelimit.Counter{{Bucket: "b", Limit: benchLimit}}, Cost: 1, Now: now}
		benchPair(b, func() { lim.AllowN(now, 1) }, func() { _, _ = s.Take(ctx, req) })
	})
	// Over 10k keys, each take on the next key but 13.
	tenK := func(b *testing.B, ours func(key string)) {
		var m sync.Map
		i, j := 0, 0
		benchPair(b, func() { syncMapAllow(&m, keys[i%manyKeys]); i += 13 }, func() { ours(keys[j%manyKeys]); j += 13 })
	}
	b.Run("10k-keys-store-vs-sync-map", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(0)
		counters := []ratelimit.Counter{{Bucket: "b", Limit: benchLimit}}
		tenK(b, func(key string) {
			_, _ = s.Take(ctx, ratelimit.TakeRequest{Key: key, Counters: counters, Cost: 1, Now: time.Now()})
		})
	})
	b.Run("10k-keys-limiter-vs-sync-map", func(b *testing.B) {
		l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit})
		tenK(b, func(key string) { _, _ = l.Allow(ctx, key) })
	})
	b.Run("middleware-vs-bare", func(b *testing.B) {
		bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
		r := httptest.NewRequest(http.MethodGet, "/items", nil)
		r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "user-42"}))
		w := &discardWriter{h: http.Header{}}
		l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{benchLimit, ratelimit.PerHour(1 << 40)})
		mw := l.Middleware(bare)
		benchPair(b, func() { bare.ServeHTTP(w, r) }, func() { mw.ServeHTTP(w, r) })
	})
}
