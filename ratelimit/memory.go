package ratelimit

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
)

// DefaultCapacity is the number of counters a [MemoryStore] keeps when
// asked for capacity 0: about 50 MB with short keys.
const DefaultCapacity = 1 << 18

const (
	memShards = 64
	// sweepSample is how many entries an insert inspects to drop idle
	// ones, so that idle counters leave without a background goroutine.
	sweepSample = 2
	// evictSample is how many entries a full shard inspects to choose a
	// victim.
	evictSample = 8
)

// MemoryStore is a [Store] in process memory: counters in sharded maps
// under one mutex per shard, taken without allocating once a counter
// exists. It is safe for concurrent use.
//
// Memory is bounded. A counter is idle once it is back to full (its
// Reset has passed) and is then as good as absent; each insert drops the
// idle counters it finds among a few it inspects. When a shard is at its
// share of the capacity, an insert first drops an idle counter and, if it
// finds none among a sample of 8, the one closest to full. That caller
// starts over with a full counter, so at capacity a limit may admit up to
// one extra burst per displaced key: size the capacity above the number
// of keys active within one limit period.
type MemoryStore struct {
	seed     maphash.Seed
	perShard int
	shards   [memShards]memShard
}

type memKey struct{ bucket, key string }

type memEntry struct {
	state   State
	expires int64 // Unix ns after which state is as good as fresh
}

type memShard struct {
	mu sync.Mutex
	m  map[memKey]*memEntry
	_  [40]byte // keep shards on separate cache lines
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns a store holding up to about capacity counters;
// capacity ≤ 0 means [DefaultCapacity].
func NewMemoryStore(capacity int) *MemoryStore {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	s := &MemoryStore{seed: maphash.MakeSeed(), perShard: max(1, (capacity+memShards-1)/memShards)}
	for i := range s.shards {
		s.shards[i].m = make(map[memKey]*memEntry)
	}
	return s
}

// Take applies req to its counter; it never fails.
func (s *MemoryStore) Take(_ context.Context, req TakeRequest) (Result, error) {
	now := req.Now.UnixNano()
	sh := &s.shards[maphash.String(s.seed, req.Key)%memShards]
	sh.mu.Lock()
	e, ok := sh.m[memKey{req.Bucket, req.Key}]
	if !ok {
		e = sh.insert(req.Bucket, req.Key, now, s.perShard)
	} else if now >= e.expires {
		e.state = State{} // idle: start fresh, whatever the old state says
	}
	r := req.Limit.take(&e.state, now, req.Cost)
	e.expires = now + int64(r.Reset)
	sh.mu.Unlock()
	return r, nil
}

// Len returns the number of counters held, idle ones included.
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

// insert adds a fresh counter, first dropping idle ones and, when the
// shard is full, a victim. The caller holds the lock.
func (sh *memShard) insert(bucket, key string, now int64, limit int) *memEntry {
	full := len(sh.m) >= limit
	sample := sweepSample
	if full {
		sample = evictSample
	}
	var victim memKey
	soonest, seen, dropped := int64(0), 0, false
	for k, e := range sh.m {
		if now >= e.expires {
			delete(sh.m, k)
			dropped = true
		} else if seen == 0 || e.expires < soonest {
			victim, soonest = k, e.expires
		}
		if seen++; seen == sample {
			break
		}
	}
	if full && !dropped && seen > 0 {
		delete(sh.m, victim)
	}
	e := &memEntry{}
	sh.m[memKey{strings.Clone(bucket), strings.Clone(key)}] = e
	return e
}
