package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
	"github.com/tollgate/tollgate/store/sqlstore"
)

func TestRateLimitStoreConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			ratelimittest.Run(t, func(t *testing.T) ratelimit.Store { return newStore(t, db).RateLimits() })
		})
	}
}

func TestRateLimitDeleteIdle(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			rs := newStore(t, newDatabase(t, d)).RateLimits()
			ctx := context.Background()
			l := ratelimit.PerMinute(3)
			now := time.Unix(1_000_000, 0)
			take := func(key string, at time.Time) ratelimit.Result {
				r, err := rs.Take(ctx, ratelimit.TakeRequest{Key: key, Cost: 1, Now: at,
					Counters: []ratelimit.Counter{{Bucket: "m", Limit: l}}})
				require.NoError(t, err)
				return r
			}
			for range 3 {
				take("old", now)
			}
			take("new", now.Add(time.Hour))
			n, err := rs.DeleteIdle(ctx, now.Add(time.Minute))
			require.NoError(t, err)
			assert.Equal(t, int64(1), n)
			assert.True(t, take("old", now).Allowed, "deleted, so full again")
		})
	}
}

// TestRateLimitFailureIsUnavailable closes the pool under the store: the
// error wraps ratelimit.ErrStoreUnavailable, for the limiter's fail policy.
func TestRateLimitFailureIsUnavailable(t *testing.T) {
	s := newStore(t, newDatabase(t, sqlstore.SQLite))
	require.NoError(t, s.DB().Close())
	_, err := s.RateLimits().Take(context.Background(), ratelimit.TakeRequest{Key: "k", Cost: 1, Now: time.Now(),
		Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3)}}})
	assert.ErrorIs(t, err, ratelimit.ErrStoreUnavailable)
}
