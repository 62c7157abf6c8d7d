package tollgate_test

import (
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
	"github.com/tollgate/tollgate/store/redisstore/redistest"
)

// downStore returns stores over a Redis address where nothing listens:
// every throttle and quota call fails the way an outage does. The hook
// counts the calls attempted.
func downStore(t *testing.T) (*redisstore.Store, *redistest.RoundTrips) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	hook := &redistest.RoundTrips{}
	c.AddHook(hook)
	s, err := redisstore.New(c)
	require.NoError(t, err)
	return s, hook
}

// TestGateStoreOutage: with a store down the Gate answers 503 by default
// and lets requests through with FailOpen, whether the throttle and quota
// share one store (one round trip) or not; authentication, which does not
// use them, still refuses a missing key.
func TestGateStoreOutage(t *testing.T) {
	down := func(t *testing.T) tollgate.Config {
		s, _ := downStore(t)
		return tollgate.Config{RateLimitStore: s.RateLimits(), QuotaStore: s.Quotas()}
	}
	throttleDown := func(t *testing.T) tollgate.Config {
		s, _ := downStore(t)
		return tollgate.Config{RateLimitStore: s.RateLimits()}
	}
	quotaDown := func(t *testing.T) tollgate.Config {
		s, _ := downStore(t)
		return tollgate.Config{QuotaStore: s.Quotas()}
	}
	tests := []struct {
		name     string
		cfg      func(*testing.T) tollgate.Config
		failOpen bool
		status   int
		code     string
	}{
		{"both down, fail closed", down, false, 503, "unavailable"},
		{"both down, fail open", down, true, 200, ""},
		{"throttle down, fail closed", throttleDown, false, 503, "unavailable"},
		{"throttle down, fail open", throttleDown, true, 200, ""},
		{"quota down, fail closed", quotaDown, false, 503, "unavailable"},
		{"quota down, fail open", quotaDown, true, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg(t)
			cfg.FailOpen = tt.failOpen
			f := newFixture(t, cfg)
			r := f.do(t, "GET", "/v1/items", f.free)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.code, r.code)
			assert.Equal(t, 401, f.do(t, "GET", "/v1/items", "").status)
		})
	}
}

// TestGateOutageFallback: with the throttle's Redis store wrapped in a
// ratelimit.FallbackStore, the Gate still decides throttle and quota in
// one round trip while Redis answers, and while it does not, a local
// memory store keeps throttling: the quota follows the fail policy.
func TestGateOutageFallback(t *testing.T) {
	t.Run("one round trip while Redis answers", func(t *testing.T) {
		cfg, hook := redisConfig(t, redisstore.WithClientTime())
		fb, err := ratelimit.NewFallbackStore(cfg.RateLimitStore, ratelimit.NewMemoryStore(0))
		require.NoError(t, err)
		cfg.RateLimitStore = fb
		f := newFixture(t, cfg)
		require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status) // loads the script
		before := hook.Count()
		for i := range 5 {
			f.clk.Advance(time.Second)
			require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "request %d", i)
		}
		assert.Equal(t, int64(5), hook.Count()-before, "round trips for 5 requests")
		assert.Zero(t, fb.Fallbacks())
	})

	tests := []struct {
		name     string
		failOpen bool
		want     []int // free: burst 2, at once
	}{
		{"fail open: throttled locally, quota let through", true, []int{200, 200, 429, 429}},
		{"fail closed: throttled locally, quota refused", false, []int{503, 503, 429, 429}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, hook := downStore(t)
			fb, err := ratelimit.NewFallbackStore(s.RateLimits(), ratelimit.NewMemoryStore(0))
			require.NoError(t, err)
			f := newFixture(t, tollgate.Config{RateLimitStore: fb, QuotaStore: s.Quotas(), FailOpen: tt.failOpen})
			var got []int
			for range tt.want {
				got = append(got, f.do(t, "GET", "/v1/items", f.free).status)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, uint64(len(tt.want)), fb.Fallbacks(), "every throttle taken locally")
			assert.Equal(t, int64(len(tt.want)), hook.Count(), "one attempt at Redis per request, for both")
		})
	}
}
