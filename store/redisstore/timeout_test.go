package redisstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// timeoutOps are calls of each kind that go through the store's timeout.
var timeoutOps = []struct {
	name string
	run  func(context.Context, *redisstore.Store) error
}{
	{"rate limit take", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.RateLimits().Take(ctx, timeoutTake)
		return err
	}},
	{"take both", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.TakeBoth(ctx, timeoutTake, quota.Bucket{Quota: "q", Key: "k"}, 1, 10)
		return err
	}},
	{"quota get", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Quotas().Get(ctx, quota.Bucket{Quota: "q", Key: "k"})
		return err
	}},
}

// slack is what a bounded call may take beyond its bound on a busy
// machine under the race detector: generous, yet far below what an
// unbounded call costs (go-redis's 3 s read timeout, 5 dial attempts).
const slack = 700 * time.Millisecond

var timeoutTake = ratelimit.TakeRequest{Key: "k", Cost: 1, Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(2)}}}

// TestTimeoutBoundsCalls: a server that accepts connections and never
// answers, or nothing listening at all, costs each call about the
// store's timeout (with go-redis's default retries and backoffs), and
// the call fails with a counted store error.
func TestTimeoutBoundsCalls(t *testing.T) {
	servers := []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"silent server", func(t *testing.T) string { return testkit.SilentServer(t) }},
		{"nothing listening", func(t *testing.T) string { return "127.0.0.1:" + freePort(t) }},
	}
	for _, srv := range servers {
		for _, timeout := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
			t.Run(srv.name+"/"+timeout.String(), func(t *testing.T) {
				c := redis.NewClient(&redis.Options{Addr: srv.addr(t), ContextTimeoutEnabled: true})
				t.Cleanup(func() { c.Close() })
				s, err := redisstore.New(c, redisstore.WithTimeout(timeout))
				require.NoError(t, err)
				for i, op := range timeoutOps {
					start := time.Now()
					err := op.run(context.Background(), s)
					took := time.Since(start)
					require.Error(t, err, op.name)
					if op.name != "quota get" {
						assert.ErrorIs(t, err, ratelimit.ErrStoreUnavailable, op.name)
					}
					assert.Less(t, took, timeout+slack, "%s: bounded by the timeout", op.name)
					assert.Equal(t, uint64(i+1), s.Stats().Errors, "%s: counted", op.name)
				}
			})
		}
	}
}

// TestTimeoutCallerContext: the caller's context ending before the
// store's timeout ends the call, with its own error, uncounted.
func TestTimeoutCallerContext(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: testkit.SilentServer(t), ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.New(c, redisstore.WithTimeout(3*time.Second))
	require.NoError(t, err)
	for _, op := range timeoutOps {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := op.run(ctx, s)
		took := time.Since(start)
		cancel()
		assert.Equal(t, context.DeadlineExceeded, err, op.name)
		assert.Less(t, took, 100*time.Millisecond+slack, op.name)
	}
	assert.Zero(t, s.Stats().Errors)
}

// TestTimeoutBoundsPoolWait: calls queued for the only connection of a
// client whose server never answers end about the store's timeout after
// they started, not at the client's PoolTimeout.
func TestTimeoutBoundsPoolWait(t *testing.T) {
	const timeout = 100 * time.Millisecond
	c := redis.NewClient(&redis.Options{Addr: testkit.SilentServer(t), ContextTimeoutEnabled: true, PoolSize: 1, PoolTimeout: 10 * time.Second})
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.New(c, redisstore.WithTimeout(timeout))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			start := time.Now()
			_, err := s.RateLimits().Take(context.Background(), timeoutTake)
			assert.ErrorIs(t, err, ratelimit.ErrStoreUnavailable)
			assert.Less(t, time.Since(start), timeout+slack)
		})
	}
	wg.Wait()
	assert.Equal(t, uint64(4), s.Stats().Errors)
}
