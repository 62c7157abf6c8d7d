package tollgate_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
	"github.com/tollgate/tollgate/store/redisstore/redistest"
)

// commandCount counts the commands and pipelines a Redis client sends:
// redisConfig returns a Config whose throttle and quota live in one Redis
// store, under a prefix of the test's own, and the client's counter.
func redisConfig(t testing.TB, opts ...redisstore.Option) (tollgate.Config, *redistest.RoundTrips) {
	s, hook := redisStore(t, opts...)
	return tollgate.Config{RateLimitStore: s.RateLimits(), QuotaStore: s.Quotas()}, hook
}

// redisStore returns a Store under a prefix of the test's own, and its
// client's counter of round trips.
func redisStore(t testing.TB, opts ...redisstore.Option) (*redisstore.Store, *redistest.RoundTrips) {
	opt, err := redis.ParseURL(testkit.RedisURL(t))
	require.NoError(t, err)
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	prefix := "tggate:" + rand.Text()[:10] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	hook := &redistest.RoundTrips{}
	c.AddHook(hook)
	s, err := redisstore.New(c, append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...)
	require.NoError(t, err)
	return s, hook
}

// TestGateOnRedis runs the two-plan scenario with throttle and quota in
// one Redis store: the Gate decides both in one round trip, with the same
// outcomes as on the memory stores.
func TestGateOnRedis(t *testing.T) {
	t.Run("same outcomes", func(t *testing.T) {
		cfg, _ := redisConfig(t, redisstore.WithClientTime()) // the fixture's fake clock decides
		testTwoKeysOnTwoPlans(t, cfg)
	})
	t.Run("one round trip per request", func(t *testing.T) {
		cfg, hook := redisConfig(t, redisstore.WithClientTime())
		f := newFixture(t, cfg)
		require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status) // loads the script
		before := hook.Count()
		const n = 20
		for i := range n {
			f.clk.Advance(time.Second)
			require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "request %d", i)
		}
		assert.Equal(t, int64(n), hook.Count()-before, "round trips for %d requests", n)
	})
	t.Run("quota refusal spends no throttle", func(t *testing.T) {
		cfg, _ := redisConfig(t, redisstore.WithClientTime()) // the fixture's fake clock decides
		f := newFixture(t, cfg)
		for range 4 { // free: 4 a day, burst 2 at 1/s
			f.clk.Advance(2 * time.Second)
			require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.free).status)
		}
		f.clk.Advance(2 * time.Second)
		// Three at once, past the burst of 2: had the quota's refusals
		// spent throttle, the third would be throttled.
		for i := range 3 {
			assert.Equal(t, "quota_exceeded", f.do(t, "GET", "/v1/items", f.free).code, "request %d", i)
		}
	})
}

// BenchmarkGateOnRedis serves a request through the Gate with throttle
// and quota in one Redis store (one round trip) against the same Gate
// whose quota store is another Store on the same client (two round
// trips), timed in alternating chunks; x-baseline is joint / two calls.
func BenchmarkGateOnRedis(b *testing.B) {
	ps, err := tollgate.NewPlans(tollgate.Plan{
		Name:     "gold",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1_000_000, 1_000_000)},
		Quota:    quota.Quota{Limit: 1 << 50, Period: quota.Day},
	})
	require.NoError(b, err)
	joint, _ := redisConfig(b)
	split, _ := redisConfig(b)
	other, _ := redisConfig(b)
	split.QuotaStore = other.QuotaStore
	handler := func(cfg tollgate.Config) http.Handler {
		cfg.Plans = ps
		g, err := tollgate.New(cfg)
		require.NoError(b, err)
		return g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	}
	hj, hs := handler(joint), handler(split)
	r := httptest.NewRequest(http.MethodGet, "/v1/items", nil)
	r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "user-42", Plan: "gold"}))
	serve := func(h http.Handler) float64 {
		const chunk = 50
		start := time.Now()
		for range chunk {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusNoContent {
				b.Fatalf("status %d", w.Code)
			}
		}
		return float64(time.Since(start)) / chunk
	}
	var base, mine, ratios []float64
	for b.Loop() {
		x, y := serve(hs), serve(hj)
		base, mine, ratios = append(base, x), append(mine, y), append(ratios, y/x)
	}
	b.ReportMetric(median(base), "two-calls-ns/req")
	b.ReportMetric(median(mine), "ns/req")
	b.ReportMetric(median(ratios), "x-baseline")
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}
