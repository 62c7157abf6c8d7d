package quota

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

const memShards = 32

// minSweep is the shard size below which no sweep for ended periods runs.
const minSweep = 64

// MemoryStore is a [Store] in process memory, for a single instance or for
// tests. It holds a counter per live bucket: a counter whose period has
// ended is dropped by an amortised sweep, so memory follows the number of
// keys active in the current periods. It needs no clock: a period counts as
// ended once a bucket starting at or after its end has been used, so it
// drops nothing a Take could still need. It is safe for concurrent use.
type MemoryStore struct {
	seed    maphash.Seed
	horizon atomic.Int64 // the latest Bucket.Start seen: now is at least this
	shards  [memShards]memShard
}

type memShard struct {
	mu        sync.Mutex
	m         map[memKey]*int64 // a pointer, so an update hashes the key once
	nextSweep int
}

type memKey struct {
	quota, key string
	start, end int64
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	s := &MemoryStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i] = memShard{m: make(map[memKey]*int64), nextSweep: minSweep}
	}
	return s
}

// Take implements [Store.Take].
func (s *MemoryStore) Take(ctx context.Context, b Bucket, cost, limit int64) (Usage, error) {
	return s.update(ctx, b, func(used int64) (int64, bool) { return used + cost, used <= limit-cost })
}

// Add implements [Store.Add].
func (s *MemoryStore) Add(ctx context.Context, b Bucket, delta int64) (Usage, error) {
	u, err := s.update(ctx, b, func(used int64) (int64, bool) { return used + delta, true })
	u.Admitted = false
	return u, err
}

// Get implements [Store.Get].
func (s *MemoryStore) Get(ctx context.Context, b Bucket) (Usage, error) {
	return s.update(ctx, b, func(used int64) (int64, bool) { return used, false })
}

// Set implements [Store.Set].
func (s *MemoryStore) Set(ctx context.Context, b Bucket, used int64) error {
	_, err := s.update(ctx, b, func(int64) (int64, bool) { return used, true })
	return err
}

// update runs f on b's counter (b.Initial if missing) under its shard's
// lock. f returns the new value and whether to store it; the Usage
// reports the value afterwards, and Admitted whether it was stored.
func (s *MemoryStore) update(ctx context.Context, b Bucket, f func(used int64) (int64, bool)) (Usage, error) {
	if err := ctx.Err(); err != nil {
		return Usage{}, err
	}
	sh, k := s.lock(b)
	defer sh.mu.Unlock()
	c := sh.m[k]
	used := b.Initial
	if c != nil {
		used = *c
	}
	next, store := f(used)
	if !store {
		return Usage{Used: used}, nil
	}
	sh.put(k, c, next, s.horizon.Load())
	return Usage{Used: next, Admitted: true}, nil
}

// Len returns the number of counters held, for tests and monitoring.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// lock advances the horizon, locks b's shard and returns it with b's map key.
func (s *MemoryStore) lock(b Bucket) (*memShard, memKey) {
	for h := s.horizon.Load(); b.Start > h; h = s.horizon.Load() {
		if s.horizon.CompareAndSwap(h, b.Start) {
			break
		}
	}
	sh := &s.shards[maphash.String(s.seed, b.Key)%memShards]
	sh.mu.Lock()
	return sh, memKey{quota: b.Quota, key: b.Key, start: b.Start, end: b.End}
}

// put stores used in k's counter c, creating it when c is nil. A new
// counter first sweeps ended periods if the shard has doubled since the
// last sweep, which keeps the cost amortised O(1).
func (sh *memShard) put(k memKey, c *int64, used, horizon int64) {
	if c != nil {
		*c = used
		return
	}
	if len(sh.m) >= sh.nextSweep {
		for key := range sh.m {
			if key.end != 0 && key.end <= horizon {
				delete(sh.m, key)
			}
		}
		sh.nextSweep = max(2*len(sh.m), minSweep)
	}
	c = new(int64)
	*c = used
	sh.m[k] = c
}
