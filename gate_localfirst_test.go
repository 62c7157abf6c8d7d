package tollgate_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/store/redisstore"
	"github.com/tollgate/tollgate/store/redisstore/redistest"
)

// TestGateOnRedisLocalFirst runs the two-plan scenario on redisstore's
// local-first stores, unchanged: the same outcomes as on the memory
// stores, and no round trip per request once a caller's quota bucket is
// held (the counts go to Redis at the syncs).
func TestGateOnRedisLocalFirst(t *testing.T) {
	localConfig := func(t *testing.T) (tollgate.Config, *redistest.RoundTrips, *redisstore.LocalFirst) {
		s, hook := redisStore(t, redisstore.WithClientTime())
		lf, err := s.LocalFirst(redisstore.WithSyncInterval(0)) // synced by hand
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, lf.Close(context.Background())) })
		return tollgate.Config{RateLimitStore: lf.RateLimits(), QuotaStore: lf.Quotas()}, hook, lf
	}
	t.Run("same outcomes", func(t *testing.T) {
		cfg, _, _ := localConfig(t)
		testTwoKeysOnTwoPlans(t, cfg)
	})
	t.Run("no round trip per request", func(t *testing.T) {
		cfg, hook, lf := localConfig(t)
		f := newFixture(t, cfg)
		require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status) // reads the quota counter
		require.NoError(t, lf.Sync(context.Background()))                 // loads the scripts
		before := hook.Count()
		const n = 20
		for i := range n {
			f.clk.Advance(time.Second)
			require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "request %d", i)
		}
		assert.Zero(t, hook.Count()-before, "round trips for %d requests", n)
		require.NoError(t, lf.Sync(context.Background()))
		assert.Equal(t, int64(1), hook.Count()-before, "one pipeline per sync")
	})
}
