package tollgate_test

import (
	"context"
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// commandCount counts the commands and pipelines a Redis client sends:
// its round trips.
type commandCount struct{ n atomic.Int64 }

func (h *commandCount) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *commandCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}

func (h *commandCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// redisConfig returns a Config whose throttle and quota live in one Redis
// store, under a prefix of the test's own, and the client's counter.
func redisConfig(t *testing.T) (tollgate.Config, *commandCount) {
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
	hook := &commandCount{}
	c.AddHook(hook)
	// The fake clock of the fixture decides, not the server's TIME.
	s, err := redisstore.New(c, redisstore.WithPrefix(prefix), redisstore.WithClientTime())
	require.NoError(t, err)
	return tollgate.Config{RateLimitStore: s.RateLimits(), QuotaStore: s.Quotas()}, hook
}

// TestGateOnRedis runs the two-plan scenario with throttle and quota in
// one Redis store: the Gate decides both in one round trip, with the same
// outcomes as on the memory stores.
func TestGateOnRedis(t *testing.T) {
	t.Run("same outcomes", func(t *testing.T) {
		cfg, _ := redisConfig(t)
		testTwoKeysOnTwoPlans(t, cfg)
	})
	t.Run("one round trip per request", func(t *testing.T) {
		cfg, hook := redisConfig(t)
		f := newFixture(t, cfg)
		require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status) // loads the script
		hook.n.Store(0)
		const n = 20
		for i := range n {
			f.clk.Advance(time.Second)
			require.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "request %d", i)
		}
		assert.Equal(t, int64(n), hook.n.Load(), "round trips for %d requests", n)
	})
	t.Run("quota refusal spends no throttle", func(t *testing.T) {
		cfg, _ := redisConfig(t)
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
