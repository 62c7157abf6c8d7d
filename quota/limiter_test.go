package quota_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/quota"
)

var ctx = context.Background()

func newLimiter(t *testing.T, at time.Time, opts ...quota.Option) (*quota.Limiter, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(at)
	l, err := quota.New(quota.NewMemoryStore(), append([]quota.Option{quota.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return l, clk
}

func take(t *testing.T, l *quota.Limiter, key string, q quota.Quota, cost int64) quota.Result {
	t.Helper()
	r, err := l.Take(ctx, key, q, cost)
	require.NoError(t, err)
	return r
}

func TestTakeAcrossPeriodBoundaries(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	tests := []struct {
		name     string
		period   quota.Period
		at       time.Time
		boundary time.Time
	}{
		{"month end", quota.Month, time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"leap day to march", quota.Month, time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"leap day", quota.Day, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"23-hour day in New York", quota.Day.In(ny), time.Date(2024, 3, 10, 0, 0, 0, 0, ny), time.Date(2024, 3, 11, 0, 0, 0, 0, ny)},
		{"25-hour day in New York", quota.Day.In(ny), time.Date(2024, 11, 3, 0, 30, 0, 0, ny), time.Date(2024, 11, 4, 0, 0, 0, 0, ny)},
		{"week from Sunday", quota.Week.StartingOn(time.Sunday), time.Date(2024, 1, 6, 23, 0, 0, 0, time.UTC), time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC)},
		{"week from Monday", quota.Week, time.Date(2024, 1, 7, 23, 0, 0, 0, time.UTC), time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)},
		{"fixed hour", quota.Every(time.Hour), time.Date(2024, 1, 7, 23, 0, 0, 0, time.UTC), time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newLimiter(t, tt.at)
			q := quota.Quota{Name: "q", Limit: 2, Period: tt.period}
			assert.True(t, take(t, l, "k", q, 2).Allowed)
			r := take(t, l, "k", q, 1)
			require.False(t, r.Allowed)
			assert.True(t, r.Reset.Equal(tt.boundary), "reset %v, want %v", r.Reset, tt.boundary)
			assert.Equal(t, tt.boundary.Sub(tt.at), r.RetryAfter(tt.at))

			clk.Set(tt.boundary.Add(-time.Nanosecond))
			assert.False(t, take(t, l, "k", q, 1).Allowed, "the last instant of the period is still in it")
			clk.Set(tt.boundary)
			r = take(t, l, "k", q, 1)
			assert.True(t, r.Allowed, "the new period starts afresh")
			assert.Equal(t, int64(1), r.Used)
			assert.True(t, r.Start.Equal(tt.boundary))
		})
	}
}

func TestOffsetCountsInTheInitialPeriodOnly(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		period quota.Period
		next   time.Time
	}{
		{"calendar day", quota.Day, time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)},
		{"fixed period aligned to start", quota.Every(6 * time.Hour), start.Add(6 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newLimiter(t, start.Add(time.Minute))
			q := quota.Quota{Limit: 10, Offset: 4, Start: start, Period: tt.period}
			r := take(t, l, "k", q, 1)
			assert.Equal(t, int64(5), r.Used)
			assert.Equal(t, int64(5), r.Remaining)
			assert.False(t, take(t, l, "k", q, 6).Allowed, "offset + usage may not pass the limit")

			clk.Set(tt.next.Add(-time.Second))
			assert.Equal(t, int64(5), take(t, l, "k", q, 0).Used, "still the initial period")
			clk.Set(tt.next)
			r = take(t, l, "k", q, 1)
			assert.Equal(t, int64(1), r.Used, "later periods start at zero")
		})
	}
}

func TestRefund(t *testing.T) {
	at := time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC)
	l, clk := newLimiter(t, at)
	q := quota.Quota{Limit: 10, Period: quota.Month}

	r := take(t, l, "k", q, 3)
	require.NoError(t, l.Refund(ctx, r))
	u, err := l.Usage(ctx, "k", q)
	require.NoError(t, err)
	assert.Equal(t, int64(0), u.Used, "refunded")

	refused := take(t, l, "k", q, 11)
	require.NoError(t, l.Refund(ctx, refused))
	u, _ = l.Usage(ctx, "k", q)
	assert.Equal(t, int64(0), u.Used, "a refused request has nothing to refund")

	late := take(t, l, "k", q, 4)
	clk.Set(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	now := take(t, l, "k", q, 1)
	require.NoError(t, l.Refund(ctx, late))
	u, _ = l.Usage(ctx, "k", q)
	assert.Equal(t, now.Used, u.Used, "a refund never lands in the next period")
}

func TestCredits(t *testing.T) {
	l, clk := newLimiter(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	credits := quota.Quota{Name: "credits", Period: quota.Forever}

	r, err := l.SetRemaining(ctx, "k", credits, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(3), r.Remaining)
	for range 3 {
		assert.True(t, take(t, l, "k", credits, 1).Allowed)
	}
	clk.Advance(400 * 24 * time.Hour)
	r = take(t, l, "k", credits, 1)
	assert.False(t, r.Allowed, "a balance never refills by itself")
	assert.True(t, r.Reset.IsZero())
	assert.Zero(t, r.RetryAfter(clk.Now()))

	r, err = l.Grant(ctx, "k", credits, 2)
	require.NoError(t, err)
	assert.Equal(t, int64(2), r.Remaining, "a top-up")
	assert.True(t, take(t, l, "k", credits, 2).Allowed)

	welcome := quota.Quota{Name: "welcome", Limit: 5, Period: quota.Forever}
	assert.Equal(t, int64(4), take(t, l, "new", welcome, 1).Remaining, "Limit is the starting balance")
}

func TestCreditsRefillEachPeriod(t *testing.T) {
	l, clk := newLimiter(t, time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC))
	q := quota.Quota{Name: "credits", Limit: 100, Period: quota.Month}
	_, err := l.SetRemaining(ctx, "k", q, 1)
	require.NoError(t, err)
	assert.True(t, take(t, l, "k", q, 1).Allowed)
	assert.False(t, take(t, l, "k", q, 1).Allowed)
	clk.Set(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, int64(99), take(t, l, "k", q, 1).Remaining, "refilled to the limit")
}

func TestUsageGrantReset(t *testing.T) {
	l, clk := newLimiter(t, time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC))
	q := quota.Quota{Limit: 5, Period: quota.Week}
	take(t, l, "k", q, 3)

	r, err := l.Usage(ctx, "k", q)
	require.NoError(t, err)
	assert.Equal(t, [3]int64{5, 3, 2}, [3]int64{r.Limit, r.Used, r.Remaining})

	r, err = l.Grant(ctx, "k", q, 10)
	require.NoError(t, err)
	assert.Equal(t, int64(12), r.Remaining, "a grant may go beyond the limit")
	assert.True(t, take(t, l, "k", q, 12).Allowed)
	assert.False(t, take(t, l, "k", q, 1).Allowed)

	prev, err := l.UsageAt(ctx, "k", q, clk.Now().Add(-7*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(0), prev.Used, "last week is its own period")
	assert.Equal(t, r.Start.Add(-7*24*time.Hour), prev.Start)

	r, err = l.Reset(ctx, "k", q)
	require.NoError(t, err)
	assert.Equal(t, int64(0), r.Used)
	assert.Equal(t, int64(5), take(t, l, "other", q, 0).Remaining, "other keys are untouched")
}

func TestZeroCostIsFree(t *testing.T) {
	l, _ := newLimiter(t, time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC))
	q := quota.Quota{Limit: 1, Period: quota.Day}
	take(t, l, "k", q, 1)
	r := take(t, l, "k", q, 0)
	assert.True(t, r.Allowed)
	assert.Equal(t, int64(1), r.Used)
	assert.Zero(t, r.Cost)
}

func TestInvalid(t *testing.T) {
	l, _ := newLimiter(t, time.Now())
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    quota.Quota
		cost int64
	}{
		{"zero period", quota.Quota{Limit: 1}, 1},
		{"sub-second period", quota.Quota{Limit: 1, Period: quota.Every(time.Millisecond)}, 1},
		{"fractional seconds", quota.Quota{Limit: 1, Period: quota.Every(1500 * time.Millisecond)}, 1},
		{"bad week start", quota.Quota{Limit: 1, Period: quota.Week.StartingOn(9)}, 1},
		{"negative limit", quota.Quota{Limit: -1, Period: quota.Day}, 1},
		{"negative offset", quota.Quota{Limit: 1, Offset: -1, Start: start, Period: quota.Day}, 1},
		{"offset without start", quota.Quota{Limit: 1, Offset: 1, Period: quota.Day}, 1},
		{"negative cost", quota.Quota{Limit: 1, Period: quota.Day}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Take(ctx, "k", tt.q, tt.cost)
			assert.ErrorIs(t, err, quota.ErrInvalidQuota)
			_, err = quota.New(quota.NewMemoryStore(), quota.WithQuota(tt.q))
			if tt.cost >= 0 {
				assert.ErrorIs(t, err, quota.ErrInvalidQuota, "New validates a static quota")
			}
		})
	}
	_, err := quota.New(nil)
	assert.ErrorIs(t, err, quota.ErrInvalidQuota)
}

// brokenStore is a MemoryStore whose every call fails while broken is set.
type brokenStore struct {
	*quota.MemoryStore
	broken atomic.Bool
}

var errBackend = errors.New("connection refused to 10.0.0.7:6379")

func (s *brokenStore) Take(ctx context.Context, b quota.Bucket, cost, limit int64) (quota.Usage, error) {
	if s.broken.Load() {
		return quota.Usage{}, errBackend
	}
	return s.MemoryStore.Take(ctx, b, cost, limit)
}

func TestStoreErrors(t *testing.T) {
	s := &brokenStore{MemoryStore: quota.NewMemoryStore()}
	l, err := quota.New(s)
	require.NoError(t, err)
	q := quota.Quota{Limit: 1, Period: quota.Day}

	s.broken.Store(true)
	_, err = l.Take(ctx, "k", q, 1)
	assert.ErrorIs(t, err, quota.ErrStore)
	assert.ErrorIs(t, err, errBackend)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = l.Usage(cancelled, "k", q)
	assert.Same(t, context.Canceled, err, "ctx.Err() passes through unchanged")
}

func TestConcurrentTakesNeverExceedTheQuota(t *testing.T) {
	l, clk := newLimiter(t, time.Date(2024, 2, 29, 23, 59, 0, 0, time.UTC))
	q := quota.Quota{Limit: 300, Period: quota.Day}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 50 {
				r, err := l.Take(ctx, "k", q, 1)
				if err == nil && r.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(300), admitted.Load())
	clk.Advance(time.Minute)
	assert.Equal(t, int64(299), take(t, l, "k", q, 1).Remaining)
}
