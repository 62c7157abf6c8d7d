package ratelimit

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"unsafe"
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

// MemoryStore is a [Store] in process memory: counters grouped by key in
// sharded maps under one mutex per shard, taken without allocating once
// the key has been seen. It is safe for concurrent use.
//
// Memory is bounded by the number of keys. A counter is idle once it is
// back to full (its Reset has passed) and is then as good as absent; a
// key is idle when all its counters are, and each insert drops the idle
// keys it finds among a few it inspects. When a shard is at its share of
// the capacity, an insert first drops an idle key and, if it finds none
// among a sample of 8, the one closest to idle. That caller starts over
// with full counters, so at capacity a limit may admit up to one extra
// burst per displaced key: size the capacity above the number of keys
// active within one limit period.
type MemoryStore struct {
	seed     maphash.Seed
	perShard int
	shards   [memShards]memShard
}

// memShard maps the 64-bit hash of a key to its entry; keys whose hashes
// collide are chained, which practically never happens.
type memShard struct {
	mu sync.Mutex
	m  map[uint64]*memEntry
	_  [112]byte // 128 bytes apart, hot fields never share a cache line
}

type memEntry struct {
	key      string    // points into keyBuf when the key fits
	next     *memEntry // another key with the same hash
	expires  int64     // Unix ns after which every counter is idle
	counters []memCounter
	inline   [2]memCounter // storage for the usual one or two limits
	keyBuf   [32]byte      // the key, in the entry's own cache lines
}

type memCounter struct {
	bucket  string
	state   State
	expires int64 // Unix ns after which state is as good as fresh
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns a store holding the counters of up to about
// capacity keys; capacity ≤ 0 means [DefaultCapacity].
func NewMemoryStore(capacity int) *MemoryStore {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	s := &MemoryStore{seed: maphash.MakeSeed(), perShard: max(1, (capacity+memShards-1)/memShards)}
	for i := range s.shards {
		s.shards[i].m = make(map[uint64]*memEntry)
	}
	return s
}

// Take applies req to its counters under one lock; it never fails.
func (s *MemoryStore) Take(_ context.Context, req TakeRequest) (Result, error) {
	n := len(req.Counters)
	if n > maxInline {
		return s.takeMany(req)
	}
	now := req.Now.UnixNano()
	h := maphash.String(s.seed, req.Key)
	sh := &s.shards[h%memShards]
	sh.mu.Lock()
	e := sh.entry(h, req.Key, now, s.perShard)
	if n == 1 { // the usual case, without the batch bookkeeping
		o := e.takeOne(&req.Counters[0], now, req.Cost)
		sh.mu.Unlock()
		return o.result(&req.Counters[0].Limit), nil
	}
	var states [maxInline]State
	var idle [maxInline]int64
	var at [maxInline]int // indexes, as adding a counter may move the others
	for i := range n {
		at[i] = e.counter(req.Counters[i].Bucket, now)
	}
	for i := range n {
		states[i] = e.counters[at[i]].state
	}
	r := req.apply(states[:n], now, idle[:n])
	if r.Allowed {
		for i := range n {
			c := &e.counters[at[i]]
			c.state, c.expires = states[i], idle[i]
			e.expires = max(e.expires, idle[i])
		}
	}
	sh.mu.Unlock()
	return r, nil
}

// takeMany serves a request of more counters than fit on the stack, one
// inline batch at a time, giving back what earlier batches took when a
// later one refuses.
func (s *MemoryStore) takeMany(req TakeRequest) (Result, error) {
	var best Result
	for start := 0; start < len(req.Counters); start += maxInline {
		part := req
		part.Counters = req.Counters[start:min(start+maxInline, len(req.Counters))]
		r, _ := s.Take(context.Background(), part)
		if !r.Allowed {
			if start > 0 && req.Cost > 0 {
				back := req
				back.Counters, back.Cost = req.Counters[:start], -req.Cost
				_, _ = s.Take(context.Background(), back)
			}
			return r, nil
		}
		if start == 0 || better(r, best) {
			best = r
		}
	}
	return best, nil
}

// Len returns the number of keys held, idle ones included.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for _, e := range sh.m {
			for ; e != nil; e = e.next {
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// entry returns the entry for key, whose hash is h, adding it if needed.
// The caller holds the lock.
func (sh *memShard) entry(h uint64, key string, now int64, limit int) *memEntry {
	e := sh.m[h]
	for e != nil && e.key != key {
		e = e.next
	}
	if e == nil {
		e = sh.insert(h, key, now, limit)
	}
	return e
}

// takeOne applies one counter of a request. The caller holds the lock.
func (e *memEntry) takeOne(c *Counter, now, cost int64) outcome {
	mc := &e.counters[e.counter(c.Bucket, now)]
	st := mc.state
	o := c.Limit.take(&st, now, min(cost, c.Limit.capacity()+1), c.interval)
	if o.allowed {
		mc.state, mc.expires = st, now+o.reset
		e.expires = max(e.expires, mc.expires)
	}
	return o
}

// counter returns the index of the entry's counter for bucket, adding it
// if needed and resetting it if it has been idle.
func (e *memEntry) counter(bucket string, now int64) int {
	for i := range e.counters {
		if c := &e.counters[i]; c.bucket == bucket {
			if now >= c.expires {
				c.state = State{} // as good as fresh, whatever it says
			}
			return i
		}
	}
	// Bucket is constant per limit (see TakeRequest), so it is kept as
	// it is: comparing it with the next request's is then a pointer check.
	e.counters = append(e.counters, memCounter{bucket: bucket})
	return len(e.counters) - 1
}

// insert adds an entry for key, first dropping idle entries and, when the
// shard is full, a victim. The caller holds the lock.
func (sh *memShard) insert(h uint64, key string, now int64, limit int) *memEntry {
	full := len(sh.m) >= limit
	sample := sweepSample
	if full {
		sample = evictSample
	}
	var victim uint64
	soonest, seen, dropped := int64(0), 0, false
	for vh, e := range sh.m {
		if now >= e.expires {
			sh.drop(vh, e)
			dropped = true
		} else if seen == 0 || e.expires < soonest {
			victim, soonest = vh, e.expires
		}
		if seen++; seen == sample {
			break
		}
	}
	if full && !dropped && seen > 0 {
		sh.drop(victim, sh.m[victim])
	}
	e := &memEntry{next: sh.m[h]}
	e.counters = e.inline[:0]
	if n := copy(e.keyBuf[:], key); n == len(key) && n > 0 {
		e.key = unsafe.String(&e.keyBuf[0], n)
	} else {
		e.key = strings.Clone(key)
	}
	sh.m[h] = e
	return e
}

// drop removes e, the head of the chain for h.
func (sh *memShard) drop(h uint64, e *memEntry) {
	if e.next != nil {
		sh.m[h] = e.next
	} else {
		delete(sh.m, h)
	}
}
