package redisstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
	"github.com/tollgate/tollgate/store/redisstore"
)

func TestRateLimitStore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
			return newStore(t, c, redisstore.WithClientTime()).RateLimits()
		})
	})
}

// TestRateLimitMatchesMemoryStore replays random takes on the Redis store
// and on ratelimit.MemoryStore: every field of every result must agree,
// to the nanosecond, for every algorithm.
func TestRateLimitMatchesMemoryStore(t *testing.T) {
	limits := []ratelimit.Limit{
		ratelimit.PerSecond(5, 10),
		ratelimit.Every(1500*time.Millisecond, 7),
		ratelimit.Every(8_571_429*time.Microsecond, 3),
		ratelimit.PerHour(1000).WithBurst(20),
	}
	algorithms := []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow}
	rs := newStore(t, standaloneClient(t), redisstore.WithClientTime()).RateLimits()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range algorithms {
		for i, l := range limits {
			l := l.WithAlgorithm(a)
			mem := ratelimit.NewMemoryStore(0)
			key := fmt.Sprint(a, "-", i)
			now := time.Date(2031, 3, 4, 5, 6, 7, 891_234_567, time.UTC)
			for step := range 200 {
				now = now.Add(time.Duration(rng.Int64N(int64(l.Period) / 4)))
				req := ratelimit.TakeRequest{Key: key, Cost: rng.Int64N(6) - 1, Now: now,
					Counters: []ratelimit.Counter{{Bucket: "a", Limit: l}, {Bucket: "b", Limit: l.WithBurst(3)}}}
				want, err := mem.Take(context.Background(), req)
				require.NoError(t, err)
				got, err := rs.Take(context.Background(), req)
				require.NoError(t, err)
				require.Equal(t, want, got, "%v limit %d step %d: %+v", a, i, step, req)
			}
		}
	}
}

// TestRateLimitFastPathSharesState alternates takes that run the GCRA
// fast paths (GCRA counters only; one counter) with takes that run the general script
// (a token-bucket counter beside them) on one key: both read and write the
// same counters, so every result still agrees with the memory store.
func TestRateLimitFastPathSharesState(t *testing.T) {
	l := ratelimit.PerSecond(5, 10)
	rs := newStore(t, standaloneClient(t), redisstore.WithClientTime()).RateLimits()
	mem := ratelimit.NewMemoryStore(0)
	rng := rand.New(rand.NewPCG(3, 4))
	now := time.Date(2031, 3, 4, 5, 6, 7, 891_234_567, time.UTC)
	for step := range 300 {
		now = now.Add(time.Duration(rng.Int64N(int64(l.Period) / 4)))
		counters := []ratelimit.Counter{{Bucket: "a", Limit: l}, {Bucket: "b", Limit: l.WithBurst(3)}}
		switch step % 3 {
		case 0: // the general script
			counters[1] = ratelimit.Counter{Bucket: "c", Limit: l.WithAlgorithm(ratelimit.TokenBucket).WithBurst(4)}
		case 1: // the one-counter fast path, beside b and c in the string
			counters = counters[:1]
		}
		req := ratelimit.TakeRequest{Key: "mixed", Cost: rng.Int64N(4), Now: now, Counters: counters}
		want, err := mem.Take(context.Background(), req)
		require.NoError(t, err)
		got, err := rs.Take(context.Background(), req)
		require.NoError(t, err)
		require.Equal(t, want, got, "step %d: %+v", step, req)
	}
}

// TestRateLimitTwoInstances has two clients, as two instances of a
// service would, hammer one key at the server's TIME: together they admit
// exactly the limit, never more.
func TestRateLimitTwoInstances(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c1, c2 := b.newClient(t), b.newClient(t)
		prefix := testPrefix(t, c1)
		stores := []*redisstore.RateLimitStore{storeAt(t, c1, prefix).RateLimits(), storeAt(t, c2, prefix).RateLimits()}
		for _, a := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow} {
			l := ratelimit.PerDay(100).WithAlgorithm(a) // no refill within the test
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for i := range 8 {
				s := stores[i%2]
				wg.Go(func() {
					for range 40 {
						r, err := s.Take(context.Background(), ratelimit.TakeRequest{
							Key: "hot-" + a.String(), Cost: 1, Now: time.Now(), Counters: []ratelimit.Counter{{Bucket: "d", Limit: l}},
						})
						if !assert.NoError(t, err) {
							return
						}
						if r.Allowed {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64(100), admitted.Load(), "%v: 320 takes of a limit of 100 from two clients", a)
		}
	})
}

// TestRateLimitFallback points a store at a port where no Redis listens:
// a take fails with ErrStoreUnavailable, counted; wrapped in a
// ratelimit.FallbackStore, the local store keeps limiting meanwhile, and
// a take whose caller gave up is neither counted nor sent to it.
func TestRateLimitFallback(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + freePort(t), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	req := ratelimit.TakeRequest{Key: "k", Cost: 1, Now: time.Now(), Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3)}}}
	ctx := context.Background()

	s, err := redisstore.New(c)
	require.NoError(t, err)
	_, err = s.RateLimits().Take(ctx, req)
	assert.ErrorIs(t, err, ratelimit.ErrStoreUnavailable)
	assert.Equal(t, redisstore.Stats{Errors: 1}, s.Stats())

	fb, err := ratelimit.NewFallbackStore(s.RateLimits(), ratelimit.NewMemoryStore(0))
	require.NoError(t, err)
	var allowed []bool
	for range 4 {
		r, err := fb.Take(ctx, req)
		require.NoError(t, err)
		allowed = append(allowed, r.Allowed)
	}
	assert.Equal(t, []bool{true, true, true, false}, allowed, "the local store limits meanwhile")
	assert.Equal(t, uint64(4), fb.Fallbacks())
	assert.Equal(t, redisstore.Stats{Errors: 5}, s.Stats())

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = fb.Take(cancelled, req)
	assert.Equal(t, context.Canceled, err)
	assert.Equal(t, uint64(4), fb.Fallbacks())
	assert.Equal(t, redisstore.Stats{Errors: 5}, s.Stats(), "a cancelled take is not a failure")
}

// TestRateLimitServerTime checks that by default the store ignores the
// limiter's clock: an hour on the client's clock refills nothing.
func TestRateLimitServerTime(t *testing.T) {
	s := newStore(t, standaloneClient(t)).RateLimits()
	now := time.Now()
	var allowed []bool
	for _, at := range []time.Time{now, now.Add(time.Hour), now.Add(-time.Hour)} {
		r, err := s.Take(context.Background(), ratelimit.TakeRequest{
			Key: "k", Cost: 1, Now: at, Counters: []ratelimit.Counter{{Bucket: "h", Limit: ratelimit.PerHour(1)}},
		})
		require.NoError(t, err)
		allowed = append(allowed, r.Allowed)
	}
	assert.Equal(t, []bool{true, false, false}, allowed)
}
