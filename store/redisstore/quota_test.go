package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/quota/quotatest"
)

func TestQuotaStore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := newStore(t, b.newClient(t))
		quotatest.Run(t, func(t *testing.T) quota.Store { return s.Quotas() })
	})
}

// TestQuotaCountersExpire checks that a period's counter disappears by
// itself an hour after the period ends, and a never-ending one stays.
func TestQuotaCountersExpire(t *testing.T) {
	ctx := context.Background()
	c := standaloneClient(t)
	prefix := testPrefix(t, c)
	s := storeAt(t, c, prefix).Quotas()
	now := time.Now().Unix()
	day := quota.Bucket{Quota: "q", Key: "k", Start: now - 60, End: now + 60}
	forever := quota.Bucket{Quota: "q", Key: "k"}
	_, err := s.Take(ctx, day, 1, 10)
	require.NoError(t, err)
	_, err = s.Add(ctx, forever, 1)
	require.NoError(t, err)

	keys, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2)
	for _, k := range keys {
		ttl, err := c.TTL(ctx, k).Result()
		require.NoError(t, err)
		if strings.Contains(k, ":0:0:") {
			assert.Equal(t, time.Duration(-1), ttl, "never-ending counter %s", k)
		} else {
			assert.InDelta(t, (60+3600)*time.Second, ttl, float64(5*time.Second), "counter %s", k)
		}
	}
}
