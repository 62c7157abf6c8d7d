// Package ttlcache is a bounded, sharded in-memory cache whose entries
// expire at a time the caller chooses. tollgate uses it for verified API
// keys, verified tokens and custom authorizer results.
package ttlcache

import (
	"hash/maphash"
	"sync"
	"time"
)

const shardCount = 32

// evictSample is how many entries a full shard looks at to pick a victim:
// the one that expires soonest among them goes (Redis's approximated LRU
// idea, applied to expiry).
const evictSample = 8

// Cache maps K to V until each entry's expiry. It holds at most about
// Capacity entries: a full shard first drops an entry that has expired or,
// failing that, the soonest-expiring of a small sample. It is safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	seed     maphash.Seed
	perShard int
	shards   [shardCount]shard[K, V]
}

type shard[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v       V
	expires int64 // unix nanoseconds
}

// New returns a cache holding up to capacity entries (at least one per shard).
func New[K comparable, V any](capacity int) *Cache[K, V] {
	c := &Cache[K, V]{seed: maphash.MakeSeed(), perShard: max(1, (capacity+shardCount-1)/shardCount)}
	for i := range c.shards {
		c.shards[i].m = make(map[K]entry[V])
	}
	return c
}

func (c *Cache[K, V]) shard(k K) *shard[K, V] {
	return &c.shards[maphash.Comparable(c.seed, k)%shardCount]
}

// Get returns the value for k if it has not expired at now.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	s := c.shard(k)
	s.mu.RLock()
	e, ok := s.m[k]
	s.mu.RUnlock()
	if !ok || now.UnixNano() >= e.expires {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Set stores v for k until expires, evicting another entry if the shard is full.
func (c *Cache[K, V]) Set(k K, v V, expires time.Time) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[k]; !ok && len(s.m) >= c.perShard {
		s.evict(time.Now().UnixNano())
	}
	s.m[k] = entry[V]{v: v, expires: expires.UnixNano()}
}

func (s *shard[K, V]) evict(now int64) {
	var victim K
	soonest, n := int64(0), 0
	for k, e := range s.m {
		if e.expires <= now {
			delete(s.m, k)
			return
		}
		if n == 0 || e.expires < soonest {
			victim, soonest = k, e.expires
		}
		if n++; n == evictSample {
			break
		}
	}
	delete(s.m, victim)
}

// Delete removes k.
func (c *Cache[K, V]) Delete(k K) {
	s := c.shard(k)
	s.mu.Lock()
	delete(s.m, k)
	s.mu.Unlock()
}

// DeleteFunc removes every entry for which drop returns true.
func (c *Cache[K, V]) DeleteFunc(drop func(K, V) bool) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k, e := range s.m {
			if drop(k, e.v) {
				delete(s.m, k)
			}
		}
		s.mu.Unlock()
	}
}

// Len returns the number of entries, expired ones included until evicted.
func (c *Cache[K, V]) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
