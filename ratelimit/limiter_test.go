package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/ratelimit"
)

func newLimiter(t *testing.T, clk *clock.Fake, limits []ratelimit.Limit, opts ...ratelimit.Option) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(ratelimit.NewMemoryStore(0), limits, append([]ratelimit.Option{ratelimit.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return l
}

func TestSeveralLimits(t *testing.T) {
	clk := clock.NewFake(t0)
	l := newLimiter(t, clk, []ratelimit.Limit{ratelimit.PerSecond(10, 20), ratelimit.PerHour(25)})
	ctx := context.Background()
	for i := range 20 {
		r, err := l.Allow(ctx, "k")
		require.NoError(t, err)
		require.True(t, r.Allowed, "take %d", i)
	}
	r, _ := l.Allow(ctx, "k")
	assert.False(t, r.Allowed)
	assert.Equal(t, "second", r.Limit.Name, "the burst refuses first")
	assert.Equal(t, 100*time.Millisecond, r.RetryAfter)

	clk.Advance(time.Second) // 10 more per second, but only 5 more per hour
	for range 5 {
		r, _ = l.Allow(ctx, "k")
		require.True(t, r.Allowed)
	}
	assert.Equal(t, "hour", r.Limit.Name, "the result reports the fewest remaining")
	assert.Equal(t, int64(0), r.Remaining)
	r, _ = l.Allow(ctx, "k")
	assert.False(t, r.Allowed)
	assert.Equal(t, "hour", r.Limit.Name)
}

func TestRefusalGivesUnitsBack(t *testing.T) {
	burst := ratelimit.PerSecond(1, 5).Named("burst")
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{burst, ratelimit.PerMinute(3).Named("account").Shared()})
	ctx := context.Background()
	for i := range 10 {
		r, err := l.Allow(ctx, "x")
		require.NoError(t, err)
		require.Equal(t, i < 3, r.Allowed, "take %d", i)
	}
	// A policy of the same name holding the same limit shares its counter.
	p, err := ratelimit.NewPolicy("", burst)
	require.NoError(t, err)
	r, err := l.TakePolicy(ctx, p, "x", 0)
	require.NoError(t, err)
	assert.Equal(t, int64(2), r.Remaining, "only the 3 admitted requests count")
}

func TestGlobalLimitIsShared(t *testing.T) {
	clk := clock.NewFake(t0)
	l := newLimiter(t, clk, []ratelimit.Limit{ratelimit.PerSecond(100, 100), ratelimit.PerSecond(3, 3).Named("account").Shared()})
	ctx := context.Background()
	for _, key := range []string{"a", "b", "c"} {
		r, err := l.Allow(ctx, key)
		require.NoError(t, err)
		require.True(t, r.Allowed)
	}
	r, _ := l.Allow(ctx, "d")
	assert.False(t, r.Allowed, "the fourth caller exhausts the account")
	assert.Equal(t, "account", r.Limit.Name)
}

func TestTakeErrors(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(10, 20)})
	_, err := l.Take(context.Background(), "k", 21)
	assert.ErrorIs(t, err, ratelimit.ErrCostTooHigh)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Allow(ctx, "k")
	assert.Same(t, context.Canceled, err, "ctx.Err() unchanged")

	_, err = ratelimit.New(nil, []ratelimit.Limit{ratelimit.PerMinute(1)})
	assert.Error(t, err)
	_, err = ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{{}})
	assert.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
	_, err = ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{ratelimit.PerMinute(1), ratelimit.PerMinute(2)})
	assert.ErrorIs(t, err, ratelimit.ErrInvalidLimit, "two limits named minute")
	_, err = ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{ratelimit.PerMinute(1)}, ratelimit.WithRoute("GET /x", ratelimit.PerMinute(0)))
	assert.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
}

// TestConcurrentTakesOneKey hammers one key through the limiter, with two
// limits whose refusals give units back, and checks that no more pass
// than the tighter limit allows.
func TestConcurrentTakesOneKey(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(1, 150), ratelimit.PerHour(100)})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 50 {
				r, err := l.Allow(context.Background(), "hot")
				if err == nil && r.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(100), allowed.Load())
}

// failingStore is a Store whose backend is down.
type failingStore struct{}

var errBackend = errors.New("connection refused")

func (failingStore) Take(context.Context, ratelimit.TakeRequest) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.Join(ratelimit.ErrStoreUnavailable, errBackend)
}

func TestLimitErrorText(t *testing.T) {
	err := error(&ratelimit.LimitError{Result: ratelimit.Result{Limit: ratelimit.PerMinute(1).Named("m"), RetryAfter: time.Second}})
	assert.ErrorIs(t, err, ratelimit.ErrLimited)
	assert.Equal(t, `ratelimit: limit "m" exceeded, retry after 1s`, err.Error())
}

func TestNoLimitsAllowsEverything(t *testing.T) {
	l, err := ratelimit.New(ratelimit.NewMemoryStore(0), nil)
	require.NoError(t, err)
	assert.Nil(t, l.Policy())
	r, err := l.Take(context.Background(), "k", 1e9)
	require.NoError(t, err)
	assert.True(t, r.Allowed)
}
