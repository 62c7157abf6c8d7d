package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
)

func TestMemoryStoreConformance(t *testing.T) {
	ratelimittest.Run(t, func(*testing.T) ratelimit.Store { return ratelimit.NewMemoryStore(0) })
}

func TestMemoryStoreIsBounded(t *testing.T) {
	const capacity = 1000
	s := ratelimit.NewMemoryStore(capacity)
	ctx := context.Background()
	l := ratelimit.PerHour(10)
	for i := range 20 * capacity {
		_, err := s.Take(ctx, ratelimit.TakeRequest{Key: strconv.Itoa(i), Counters: []ratelimit.Counter{{Bucket: "b", Limit: l}}, Cost: 1, Now: t0})
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, s.Len(), capacity+64, "at most capacity, rounded up per shard")
	assert.GreaterOrEqual(t, s.Len(), capacity/2)
}

func TestMemoryStoreDropsIdleCounters(t *testing.T) {
	s := ratelimit.NewMemoryStore(0)
	ctx := context.Background()
	l := ratelimit.PerSecond(10, 10)
	for i := range 1000 {
		_, _ = s.Take(ctx, ratelimit.TakeRequest{Key: strconv.Itoa(i), Counters: []ratelimit.Counter{{Bucket: "b", Limit: l}}, Cost: 1, Now: t0})
	}
	later := t0.Add(time.Second) // every counter is full again
	for i := range 1000 {
		_, _ = s.Take(ctx, ratelimit.TakeRequest{Key: "new" + strconv.Itoa(i), Counters: []ratelimit.Counter{{Bucket: "b", Limit: l}}, Cost: 1, Now: later})
	}
	assert.Less(t, s.Len(), 1500, "inserts sweep idle counters away")
}

func TestMemoryStoreTakeDoesNotAllocate(t *testing.T) {
	s := ratelimit.NewMemoryStore(0)
	ctx := context.Background()
	key := []byte("user-42")
	req := ratelimit.TakeRequest{Key: string(key), Counters: []ratelimit.Counter{{Bucket: "b", Limit: ratelimit.PerSecond(1, 1e9)}}, Cost: 1, Now: t0}
	_, _ = s.Take(ctx, req)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = s.Take(ctx, req) }))
}
