package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/quota/quotatest"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
	"github.com/tollgate/tollgate/store/redisstore"
)

var lfEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// newLocalFirst returns a LocalFirst over s that syncs only when told,
// at clk's time, and closes with the test.
func newLocalFirst(t testing.TB, s *redisstore.Store, clk *clock.Fake) *redisstore.LocalFirst {
	lf, err := s.LocalFirst(redisstore.WithSyncInterval(0), redisstore.WithSyncClock(clk.Now))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, lf.Close(ctx))
	})
	return lf
}

// syncedRates is a LocalRateLimitStore that syncs after every take, at
// the take's time: the suite then checks the state that went through
// Redis and back, not only the local arithmetic.
type syncedRates struct {
	lf  *redisstore.LocalFirst
	clk *clock.Fake
}

func (s syncedRates) Take(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
	s.clk.Set(req.Now)
	r, err := s.lf.RateLimits().Take(ctx, req)
	if err == nil {
		err = s.lf.Sync(ctx)
	}
	return r, err
}

// syncedQuotas is syncedRates for quotas: a sync after every call.
type syncedQuotas struct{ lf *redisstore.LocalFirst }

func (s syncedQuotas) sync(ctx context.Context, u quota.Usage, err error) (quota.Usage, error) {
	if err == nil {
		err = s.lf.Sync(context.WithoutCancel(ctx))
	}
	return u, err
}

func (s syncedQuotas) Take(ctx context.Context, b quota.Bucket, cost, limit int64) (quota.Usage, error) {
	u, err := s.lf.Quotas().Take(ctx, b, cost, limit)
	return s.sync(ctx, u, err)
}

func (s syncedQuotas) Add(ctx context.Context, b quota.Bucket, delta int64) (quota.Usage, error) {
	u, err := s.lf.Quotas().Add(ctx, b, delta)
	return s.sync(ctx, u, err)
}

func (s syncedQuotas) Get(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
	u, err := s.lf.Quotas().Get(ctx, b)
	return s.sync(ctx, u, err)
}

func (s syncedQuotas) Set(ctx context.Context, b quota.Bucket, used int64) error {
	_, err := s.sync(ctx, quota.Usage{}, s.lf.Quotas().Set(ctx, b, used))
	return err
}

// TestLocalFirstConformance runs the stores' suites on one instance, with
// no sync (the local arithmetic) and with a sync after every call (the
// state through Redis and back).
func TestLocalFirstConformance(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		t.Run("ratelimit/local", func(t *testing.T) {
			ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
				return newLocalFirst(t, newStore(t, c, redisstore.WithClientTime()), clock.NewFake(lfEpoch)).RateLimits()
			})
		})
		t.Run("ratelimit/synced", func(t *testing.T) {
			ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
				clk := clock.NewFake(lfEpoch)
				return syncedRates{newLocalFirst(t, newStore(t, c, redisstore.WithClientTime()), clk), clk}
			})
		})
		t.Run("quota/local", func(t *testing.T) {
			quotatest.Run(t, func(t *testing.T) quota.Store {
				return newLocalFirst(t, newStore(t, c), clock.NewFake(time.Now())).Quotas()
			})
		})
		t.Run("quota/synced", func(t *testing.T) {
			quotatest.Run(t, func(t *testing.T) quota.Store {
				return syncedQuotas{newLocalFirst(t, newStore(t, c), clock.NewFake(time.Now()))}
			})
		})
	})
}

// lfInstances returns n LocalFirst instances sharing one prefix, each
// over a client and Store of its own, as n processes would be, syncing
// at clk's time.
func lfInstances(t *testing.T, n int, clk *clock.Fake) []*redisstore.LocalFirst {
	prefix := testPrefix(t, standaloneClient(t))
	out := make([]*redisstore.LocalFirst, n)
	for i := range out {
		out[i] = newLocalFirst(t, storeAt(t, standaloneClient(t), prefix, redisstore.WithClientTime()), clk)
	}
	return out
}

func syncAll(t testing.TB, lfs []*redisstore.LocalFirst) {
	t.Helper()
	for _, lf := range lfs {
		require.NoError(t, lf.Sync(context.Background()))
	}
}

// TestLocalFirstOverAdmission measures the rate-limit bound documented
// on LocalFirst: N instances hammer one key far above its rate, syncing
// every Δ of fake time (in lockstep, so L = 0); the units admitted by any
// time t never exceed b + r·t + E, E = (N−1)·(b + r·2Δ) + N, and the
// excess does not grow over a long run. "rotating" lets each instance
// take only in its turn of a second, so keys go idle, are dropped and
// come back from a full bucket.
func TestLocalFirstOverAdmission(t *testing.T) {
	cases := []struct {
		name     string
		n        int
		rate     int64 // per second
		burst    int64
		delta    time.Duration
		steps    int // per Δ; each instance tries `tries` takes per step
		tries    int
		span     time.Duration
		rotating bool
	}{
		{name: "4x100rps-b20-10ms", n: 4, rate: 100, burst: 20, delta: 10 * time.Millisecond, steps: 5, tries: 25, span: 60 * time.Second},
		{name: "4x1000rps-b1-5ms", n: 4, rate: 1000, burst: 1, delta: 5 * time.Millisecond, steps: 5, tries: 3, span: 30 * time.Second},
		{name: "2x10rps-b50-50ms", n: 2, rate: 10, burst: 50, delta: 50 * time.Millisecond, steps: 10, tries: 60, span: 60 * time.Second},
		{name: "4x100rps-b20-10ms-rotating", n: 4, rate: 100, burst: 20, delta: 10 * time.Millisecond, steps: 5, tries: 25, span: 60 * time.Second, rotating: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(lfEpoch)
			lfs := lfInstances(t, tc.n, clk)
			limit := ratelimit.PerSecond(tc.rate, tc.burst)
			bound := int64(tc.n-1)*(tc.burst+tc.rate*int64(2*tc.delta)/int64(time.Second)) + int64(tc.n)
			ctx := context.Background()
			var admitted, worst int64
			step := tc.delta / time.Duration(tc.steps)
			for elapsed := time.Duration(0); elapsed < tc.span; elapsed += tc.delta {
				for s := range tc.steps {
					now := lfEpoch.Add(elapsed + time.Duration(s)*step)
					clk.Set(now)
					for i, lf := range lfs {
						if tc.rotating && int(elapsed/time.Second)%tc.n != i {
							continue
						}
						for range tc.tries {
							req := ratelimit.TakeRequest{Key: "hot", Cost: 1, Now: now, Counters: []ratelimit.Counter{{Bucket: "s", Limit: limit}}}
							r, err := lf.RateLimits().Take(ctx, req)
							require.NoError(t, err)
							if r.Allowed {
								admitted++
							}
						}
					}
					single := tc.burst + tc.rate*int64(now.Sub(lfEpoch))/int64(time.Second)
					worst = max(worst, admitted-single)
				}
				clk.Set(lfEpoch.Add(elapsed + tc.delta))
				syncAll(t, lfs)
			}
			single := tc.burst + tc.rate*int64(tc.span)/int64(time.Second)
			t.Logf("N=%d r=%d/s b=%d Δ=%v over %v: admitted %d, one store %d, final excess %d, worst excess %d, bound E %d",
				tc.n, tc.rate, tc.burst, tc.delta, tc.span, admitted, single, admitted-single, worst, bound)
			assert.LessOrEqual(t, worst, bound, "excess at some time beyond the documented bound")
			assert.LessOrEqual(t, admitted, single+bound, "total over the run beyond b + r·T + E")
			// Counts pushed at sync time rather than admission time lose up
			// to Δ of refill per cycle of debt: under saturation with a
			// small burst the instances admit somewhat less than the rate.
			assert.Greater(t, admitted, single*3/4, "the instances together admit near the rate")
		})
	}
}

// TestLocalFirstQuotaOverAdmission measures the quota bound: N instances
// each take m units per round, syncing after each round; the counter ends
// at most E_q = (N−1)·2m over the limit (the others' units of two sync
// intervals), and Redis holds every unit admitted.
func TestLocalFirstQuotaOverAdmission(t *testing.T) {
	const n, m, limit = 4, 7, 1000
	clk := clock.NewFake(time.Now())
	lfs := lfInstances(t, n, clk)
	b := quota.Bucket{Quota: "month", Key: "hot", Start: clk.Now().Unix(), End: clk.Now().Unix() + 3600}
	ctx := context.Background()
	var admitted int64
	for round := 0; round < 2*limit/(n*m); round++ {
		for _, lf := range lfs {
			for range m {
				u, err := lf.Quotas().Take(ctx, b, 1, limit)
				require.NoError(t, err)
				if u.Admitted {
					admitted++
				}
			}
		}
		clk.Advance(5 * time.Millisecond)
		syncAll(t, lfs)
	}
	bound := int64((n - 1) * 2 * m)
	t.Logf("N=%d, %d takes each per sync, limit %d: admitted %d, excess %d, bound E_q %d", n, m, limit, admitted, admitted-limit, bound)
	assert.LessOrEqual(t, admitted, int64(limit)+bound)
	assert.GreaterOrEqual(t, admitted, int64(limit))
	for _, lf := range lfs {
		require.NoError(t, lf.Close(ctx))
	}
	u, err := lfs[0].Quotas().Get(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, admitted, u.Used, "every admitted unit is in Redis")
}

// TestLocalFirstCloseFlushes checks that Close pushes what was taken
// locally, where the one-round-trip stores see it on the same keys.
func TestLocalFirstCloseFlushes(t *testing.T) {
	forEach(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		c := be.newClient(t)
		s := newStore(t, c, redisstore.WithClientTime())
		clk := clock.NewFake(lfEpoch)
		lf, err := s.LocalFirst(redisstore.WithSyncClock(clk.Now)) // a goroutine too: Close stops it
		require.NoError(t, err)
		limit := ratelimit.PerMinute(10)
		req := ratelimit.TakeRequest{Key: "k", Cost: 3, Now: lfEpoch, Counters: []ratelimit.Counter{{Bucket: "m", Limit: limit}}}
		r, err := lf.RateLimits().Take(ctx, req)
		require.NoError(t, err)
		require.True(t, r.Allowed)
		b := quota.Bucket{Quota: "day", Key: "k", Start: lfEpoch.Unix(), End: lfEpoch.Unix() + 86400, Initial: 2}
		_, err = lf.Quotas().Take(ctx, b, 5, 100)
		require.NoError(t, err)
		_, err = lf.Quotas().Add(ctx, b, -1)
		require.NoError(t, err)
		require.NoError(t, lf.Close(ctx))

		req.Cost = 0
		r, err = s.RateLimits().Take(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, int64(7), r.Remaining, "the one-round-trip store sees the 3 units")
		u, err := s.Quotas().Get(ctx, b)
		require.NoError(t, err)
		assert.Equal(t, int64(6), u.Used, "initial 2, +5, -1")
		assert.Zero(t, lf.Stats().Errors)
	})
}

// TestLocalFirstSeesOthers checks that a sync brings in what other
// instances took: after one instance empties the bucket, the other
// refuses.
func TestLocalFirstSeesOthers(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(lfEpoch)
	lfs := lfInstances(t, 2, clk)
	limit := ratelimit.PerMinute(10)
	req := func(cost int64) ratelimit.TakeRequest {
		return ratelimit.TakeRequest{Key: "k", Cost: cost, Now: clk.Now(), Counters: []ratelimit.Counter{{Bucket: "m", Limit: limit}}}
	}
	_, err := lfs[1].RateLimits().Take(ctx, req(0)) // held, so refreshed at the sync
	require.NoError(t, err)
	r, err := lfs[0].RateLimits().Take(ctx, req(10))
	require.NoError(t, err)
	require.True(t, r.Allowed)
	syncAll(t, lfs)
	r, err = lfs[1].RateLimits().Take(ctx, req(1))
	require.NoError(t, err)
	assert.False(t, r.Allowed, "the other instance's 10 units reached this one")
	assert.Equal(t, 6*time.Second, r.RetryAfter)
}

// TestLocalFirstOutage stops Redis under a LocalFirst: decisions go on
// locally, syncs fail and keep their counts, and once a server answers
// again (empty, without the scripts) the counts reach it.
func TestLocalFirstOutage(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	stop := startRedis(t, port)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := storeAt(t, c, "t:")
	clk := clock.NewFake(time.Now())
	lf := newLocalFirst(t, s, clk)
	b := quota.Bucket{Quota: "q", Key: "k"}
	take := func() quota.Usage {
		u, err := lf.Quotas().Take(ctx, b, 1, 100)
		require.NoError(t, err, "decisions never wait for Redis once a bucket is held")
		return u
	}
	take()
	require.NoError(t, lf.Sync(ctx))

	stop()
	take()
	take()
	require.Error(t, lf.Sync(ctx))
	assert.Equal(t, redisstore.LocalFirstStats{Syncs: 1, Errors: 1, Keys: 1}, lf.Stats())
	assert.Equal(t, uint64(1), s.Stats().Errors)

	startRedis(t, port)
	assert.Equal(t, quota.Usage{Used: 4, Admitted: true}, take())
	require.NoError(t, lf.Sync(ctx))
	used, err := c.Get(ctx, "t:q:1:q:0:0:{k:k}").Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(3), used, "the 3 units taken since the last good sync (the new server lost the first)")
	u, err := lf.Quotas().Get(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, int64(3), u.Used, "the local copy follows the server")
	require.NoError(t, lf.Close(ctx)) // before the server stops
}

// TestLocalFirstServerTime syncs at the Redis server's TIME (the default)
// with the real clock: the global state comes back mapped onto local time.
func TestLocalFirstServerTime(t *testing.T) {
	ctx := context.Background()
	c := standaloneClient(t)
	lf, err := newStore(t, c).LocalFirst(redisstore.WithSyncInterval(0))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, lf.Close(ctx)) })
	limit := ratelimit.PerMinute(10)
	req := func(cost int64) ratelimit.TakeRequest {
		return ratelimit.TakeRequest{Key: "k", Cost: cost, Now: time.Now(), Counters: []ratelimit.Counter{{Bucket: "m", Limit: limit}}}
	}
	r, err := lf.RateLimits().Take(ctx, req(10))
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.NoError(t, lf.Sync(ctx))
	r, err = lf.RateLimits().Take(ctx, req(1))
	require.NoError(t, err)
	assert.False(t, r.Allowed)
	// 6 s for a unit, less the time since the first take, more at most
	// the sync's round trip (the reply is mapped late, on the safe side).
	assert.InDelta(t, float64(6*time.Second), float64(r.RetryAfter), float64(time.Second))
}

// TestLocalFirstDropsIdleKeys checks that memory follows the keys in use:
// a rate-limit key leaves once unused through a sync and back to full, a
// quota bucket after a minute unused.
func TestLocalFirstDropsIdleKeys(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(lfEpoch)
	lf := newLocalFirst(t, newStore(t, standaloneClient(t), redisstore.WithClientTime()), clk)
	req := ratelimit.TakeRequest{Key: "k", Cost: 5, Now: clk.Now(), Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(10)}}}
	_, err := lf.RateLimits().Take(ctx, req)
	require.NoError(t, err)
	b := quota.Bucket{Quota: "day", Key: "k", Start: lfEpoch.Unix(), End: lfEpoch.Unix() + 86400}
	_, err = lf.Quotas().Take(ctx, b, 1, 10)
	require.NoError(t, err)
	require.NoError(t, lf.Sync(ctx))
	assert.Equal(t, 2, lf.Stats().Keys)

	clk.Advance(29 * time.Second) // the counter is not full yet
	require.NoError(t, lf.Sync(ctx))
	assert.Equal(t, 2, lf.Stats().Keys)
	clk.Advance(time.Second) // now it is
	require.NoError(t, lf.Sync(ctx))
	assert.Equal(t, 1, lf.Stats().Keys, "the rate-limit key left")
	clk.Advance(30 * time.Second)
	require.NoError(t, lf.Sync(ctx))
	assert.Equal(t, 0, lf.Stats().Keys, "the quota bucket left")

	u, err := lf.Quotas().Get(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.Used, "read back from Redis")
}

// TestLocalFirstConcurrent hammers one key from many goroutines while the
// sync goroutine runs on the real clock: with one instance the quota is
// exact, and after Close Redis holds every unit admitted.
func TestLocalFirstConcurrent(t *testing.T) {
	forEach(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		s := newStore(t, be.newClient(t))
		lf, err := s.LocalFirst(redisstore.WithSyncInterval(time.Millisecond))
		require.NoError(t, err)
		now := time.Now().Unix()
		b := quota.Bucket{Quota: "q", Key: "hot", Start: now, End: now + 3600}
		const limit = 500
		lfRun(t, 8, func() error {
			for range 200 {
				req := ratelimit.TakeRequest{Key: "hot", Cost: 1, Now: time.Now(), Counters: []ratelimit.Counter{{Bucket: "s", Limit: ratelimit.PerSecond(1e6, 1e6)}}}
				if _, err := lf.RateLimits().Take(ctx, req); err != nil {
					return err
				}
				if _, err := lf.Quotas().Take(ctx, b, 1, limit); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, lf.Close(ctx))
		u, err := s.Quotas().Get(ctx, b)
		require.NoError(t, err)
		assert.Equal(t, int64(limit), u.Used)
		assert.Zero(t, lf.Stats().Errors)
	})
}

// lfRun runs f on workers goroutines and fails the test on any error.
func lfRun(t *testing.T, workers int, f func() error) {
	t.Helper()
	errs := make(chan error, workers)
	for range workers {
		go func() { errs <- f() }()
	}
	for range workers {
		require.NoError(t, <-errs)
	}
}
