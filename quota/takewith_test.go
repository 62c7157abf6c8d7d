package quota_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
)

// TestTakeWith proves TakeWith hands take the bucket Take would give its
// store (period and offset included) and reports the same result, and
// calls nothing for a cost of 0.
func TestTakeWith(t *testing.T) {
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start.Add(36 * time.Hour)
	q := quota.Quota{Name: "daily", Limit: 10, Period: quota.Day, Offset: 4, Start: start.Add(24 * time.Hour)}
	tests := []struct {
		name     string
		cost     int64
		wantTake bool
		wantUsed int64
	}{
		{"cost 3 on the offset", 3, true, 7},
		{"cost 0 reads", 0, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := quota.NewMemoryStore()
			l, err := quota.New(store, quota.WithClock(func() time.Time { return now }))
			require.NoError(t, err)
			var got []quota.Bucket
			take := func(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
				got = append(got, b)
				return store.Take(ctx, b, tt.cost, q.Limit)
			}
			r, err := l.TakeWith(context.Background(), "k", q, tt.cost, take)
			require.NoError(t, err)
			assert.True(t, r.Allowed)
			assert.Equal(t, tt.wantUsed, r.Used)
			if !tt.wantTake {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			day := start.Add(24 * time.Hour)
			assert.Equal(t, quota.Bucket{Quota: "daily", Key: "k", Start: day.Unix(), End: day.Add(24 * time.Hour).Unix(), Initial: 4}, got[0])
			assert.Equal(t, int64(3), r.Cost, "a refund gives back what take counted")
		})
	}
}
