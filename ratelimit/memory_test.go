package ratelimit_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
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

// TestMemoryStoreFastAndLockedTakesAgree takes one GCRA counter both
// alone (the lock-free path) and together with a second counter (the
// locked path) from many goroutines at one instant: exactly its burst
// passes, and the second counter counts only the takes that passed.
func TestMemoryStoreFastAndLockedTakesAgree(t *testing.T) {
	s := ratelimit.NewMemoryStore(0)
	ctx := context.Background()
	a := ratelimit.Counter{Bucket: "a", Limit: ratelimit.PerHour(1).WithBurst(200)}
	b := ratelimit.Counter{Bucket: "b", Limit: ratelimit.PerHour(1000)}
	var alone, together atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				req := ratelimit.TakeRequest{Key: "hot", Counters: []ratelimit.Counter{a}, Cost: 1, Now: t0}
				n := &alone
				if (g+i)%2 == 0 {
					req.Counters, n = []ratelimit.Counter{a, b}, &together
				}
				if r, err := s.Take(ctx, req); err == nil && r.Allowed {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(200), alone.Load()+together.Load())
	r, err := s.Take(ctx, ratelimit.TakeRequest{Key: "hot", Counters: []ratelimit.Counter{b}, Now: t0})
	require.NoError(t, err)
	assert.Equal(t, 1000-together.Load(), r.Remaining)
}

// TestMemoryStoreAlgorithmChange changes the algorithm of a live key's
// first counter, which the store keeps apart while it is GCRA: the
// counter starts afresh under the new algorithm and keeps working when
// it changes back.
func TestMemoryStoreAlgorithmChange(t *testing.T) {
	s := ratelimit.NewMemoryStore(0)
	ctx := context.Background()
	take := func(l ratelimit.Limit, cost int64) ratelimit.Result {
		t.Helper()
		r, err := s.Take(ctx, ratelimit.TakeRequest{Key: "k", Counters: []ratelimit.Counter{{Bucket: "x", Limit: l}}, Cost: cost, Now: t0})
		require.NoError(t, err)
		return r
	}
	gcra := ratelimit.PerMinute(10)
	assert.True(t, take(gcra, 10).Allowed)
	assert.False(t, take(gcra, 1).Allowed)
	fixed := gcra.WithAlgorithm(ratelimit.FixedWindow)
	assert.True(t, take(fixed, 10).Allowed, "a new algorithm starts afresh")
	assert.False(t, take(fixed, 1).Allowed)
	r := take(gcra, 1)
	assert.True(t, r.Allowed, "back to GCRA: the window's count means nothing to it")
	assert.Equal(t, int64(9), r.Remaining)
}

// TestMemoryStoreMatchesApply drives the memory store, whose first GCRA
// counter per key is taken apart from the others, and a plain model that
// keeps every counter's State and calls TakeRequest.Apply, through the
// same random requests, and checks that they answer alike.
func TestMemoryStoreMatchesApply(t *testing.T) {
	buckets := []ratelimit.Counter{
		{Bucket: "gcra", Limit: ratelimit.PerSecond(5, 8).Named("gcra")},
		{Bucket: "bucket", Limit: ratelimit.PerSecond(3, 6).WithAlgorithm(ratelimit.TokenBucket).Named("bucket")},
		{Bucket: "fixed", Limit: ratelimit.Every(2*time.Second, 9).WithAlgorithm(ratelimit.FixedWindow).Named("fixed")},
		{Bucket: "sliding", Limit: ratelimit.Every(time.Second, 7).WithAlgorithm(ratelimit.SlidingWindow).Named("sliding")},
		{Bucket: "gcra2", Limit: ratelimit.Every(time.Minute, 20).WithBurst(4).Named("gcra2")},
	}
	for seed := range uint64(20) {
		rnd := rand.New(rand.NewPCG(seed, 7))
		s := ratelimit.NewMemoryStore(0)
		model := map[string]map[string]ratelimit.State{}
		now := t0
		for step := range 2000 {
			key := "k" + strconv.Itoa(rnd.IntN(6))
			var cs []ratelimit.Counter
			for _, i := range rnd.Perm(len(buckets))[:1+rnd.IntN(3)] {
				cs = append(cs, buckets[i])
			}
			cost := int64(rnd.IntN(4))
			if rnd.IntN(20) == 0 {
				cost = -1
			}
			now = now.Add(time.Duration(rnd.IntN(400)) * time.Millisecond)
			req := ratelimit.TakeRequest{Key: key, Counters: cs, Cost: cost, Now: now}

			got, err := s.Take(context.Background(), req)
			require.NoError(t, err)
			if model[key] == nil {
				model[key] = map[string]ratelimit.State{}
			}
			states := make([]ratelimit.State, len(cs))
			for i, c := range cs {
				states[i] = model[key][c.Bucket]
			}
			want := req.Apply(states)
			for i, c := range cs {
				model[key][c.Bucket] = states[i]
			}
			require.Equal(t, want, got, "seed %d step %d: %s cost %d", seed, step, key, cost)
		}
	}
}
