package quota_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/quota/quotatest"
)

func TestMemoryStore(t *testing.T) {
	quotatest.Run(t, func(*testing.T) quota.Store { return quota.NewMemoryStore() })
}

func TestMemoryStoreDropsEndedPeriods(t *testing.T) {
	s := quota.NewMemoryStore()
	ctx := context.Background()
	const day = 86400
	forever := quota.Bucket{Quota: "credits", Key: "k"}
	_, err := s.Take(ctx, forever, 1, 10)
	require.NoError(t, err)
	for d := range int64(5) {
		for i := range 1000 {
			b := quota.Bucket{Quota: "q", Key: fmt.Sprint("key-", i), Start: d * day, End: (d + 1) * day}
			_, err := s.Take(ctx, b, 1, 10)
			require.NoError(t, err)
		}
		assert.LessOrEqual(t, s.Len(), 2*1000+1+32*64, "day %d: ended periods must be dropped", d)
	}
	u, err := s.Get(ctx, forever)
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.Used, "a never-ending counter is never dropped")
	u, err = s.Get(ctx, quota.Bucket{Quota: "q", Key: "key-7", Start: 4 * day, End: 5 * day})
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.Used, "the live period is kept")
}
