package tollgate_test

import (
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/store/redisstore"
)

// downStore returns stores over a Redis address where nothing listens:
// every throttle and quota call fails the way an outage does.
func downStore(t *testing.T) *redisstore.Store {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	s, err := redisstore.New(c)
	require.NoError(t, err)
	return s
}

// TestGateStoreOutage: with a store down the Gate answers 503 by default
// and lets requests through with FailOpen, whether the throttle and quota
// share one store (one round trip) or not; authentication, which does not
// use them, still refuses a missing key.
func TestGateStoreOutage(t *testing.T) {
	down := func(t *testing.T) tollgate.Config {
		s := downStore(t)
		return tollgate.Config{RateLimitStore: s.RateLimits(), QuotaStore: s.Quotas()}
	}
	throttleDown := func(t *testing.T) tollgate.Config {
		return tollgate.Config{RateLimitStore: downStore(t).RateLimits()}
	}
	quotaDown := func(t *testing.T) tollgate.Config {
		return tollgate.Config{QuotaStore: downStore(t).Quotas()}
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
