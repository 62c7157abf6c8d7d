package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
	"github.com/tollgate/tollgate/store/redisstore/redistest"
)

// takeBothCounters are the counter sets TakeBoth is tested with, one per
// script that can decide them; the first is the tightest.
var takeBothCounters = []struct {
	name     string
	counters []ratelimit.Counter
}{
	{"one GCRA", []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3)}}},
	{"two GCRA", []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3)}, {Bucket: "h", Limit: ratelimit.PerHour(100)}}},
	{"token bucket", []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3).WithAlgorithm(ratelimit.TokenBucket)}}},
}

func TestTakeBoth(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		for _, tc := range takeBothCounters {
			t.Run(tc.name, func(t *testing.T) { testTakeBoth(t, b, tc.counters) })
		}
	})
}

func testTakeBoth(t *testing.T, b backend, counters []ratelimit.Counter) {
	ctx := context.Background()
	c := b.newClient(t)
	s := newStore(t, c, redisstore.WithClientTime())
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	req := func(key string) ratelimit.TakeRequest {
		return ratelimit.TakeRequest{Key: key, Cost: 1, Now: now, Counters: counters}
	}
	bucket := func(key string) quota.Bucket {
		return quota.Bucket{Quota: "day", Key: key, Start: now.Unix(), End: now.Unix() + 86400}
	}
	remaining := func(key string) (int64, int64) {
		r, err := s.RateLimits().Take(ctx, ratelimit.TakeRequest{Key: key, Now: now, Counters: req(key).Counters})
		require.NoError(t, err)
		u, err := s.Quotas().Get(ctx, bucket(key))
		require.NoError(t, err)
		return r.Remaining, u.Used
	}

	// Both admit: counted in both.
	d, err := s.TakeBoth(ctx, req("a"), bucket("a"), 1, 5)
	require.NoError(t, err)
	assert.True(t, d.Allowed)
	assert.Equal(t, quota.Usage{Used: 1, Admitted: true}, d.Quota)
	assert.Equal(t, int64(2), d.RateLimit.Remaining)

	// The quota refuses: the rate limit is not spent.
	d, err = s.TakeBoth(ctx, req("a"), bucket("a"), 5, 5)
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.True(t, d.RateLimit.Allowed)
	assert.Equal(t, quota.Usage{Used: 1, Admitted: false}, d.Quota)
	rem, used := remaining("a")
	assert.Equal(t, [2]int64{2, 1}, [2]int64{rem, used})

	// Throttled: the quota is not spent.
	for range 2 {
		_, err = s.TakeBoth(ctx, req("a"), bucket("a"), 1, 5)
		require.NoError(t, err)
	}
	d, err = s.TakeBoth(ctx, req("a"), bucket("a"), 1, 5)
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.False(t, d.RateLimit.Allowed)
	assert.Positive(t, d.RateLimit.RetryAfter)
	assert.Equal(t, quota.Usage{Used: 3, Admitted: true}, d.Quota)
	rem, used = remaining("a")
	assert.Equal(t, [2]int64{0, 3}, [2]int64{rem, used})

	_, err = s.TakeBoth(ctx, req("a"), bucket("b"), 1, 5)
	assert.Error(t, err, "keys differ")
}

// TestTakeBothOneRoundTrip counts what the client sends: one command per
// decision, once the script is cached on the server.
func TestTakeBothOneRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		c := b.newClient(t)
		hook := &redistest.RoundTrips{}
		c.AddHook(hook)
		s := newStore(t, c)
		for _, tc := range takeBothCounters {
			req := ratelimit.TakeRequest{Key: tc.name, Cost: 1, Counters: tc.counters}
			qb := quota.Bucket{Quota: "month", Key: tc.name, Start: time.Now().Unix(), End: time.Now().Unix() + 3600}
			_, err := s.TakeBoth(ctx, req, qb, 0, 1000) // loads the script if the server lacks it
			require.NoError(t, err)
			before := hook.Count()
			const n = 2
			for range n {
				d, err := s.TakeBoth(ctx, req, qb, 1, 1000)
				require.NoError(t, err)
				require.True(t, d.Allowed)
			}
			assert.Equal(t, int64(n), hook.Count()-before, "%s: round trips for %d decisions", tc.name, n)
		}
	})
}

func TestSharesQuotas(t *testing.T) {
	c := standaloneClient(t)
	s := newStore(t, c)
	other, err := redisstore.New(c, redisstore.WithPrefix("elsewhere:"))
	require.NoError(t, err)
	tests := []struct {
		name string
		q    quota.Store
		want bool
	}{
		{"its own Store's quotas", s.Quotas(), true},
		{"another prefix", other.Quotas(), false},
		{"a memory store", quota.NewMemoryStore(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, s.RateLimits().SharesQuotas(tt.q)) })
	}
}
