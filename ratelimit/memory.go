package ratelimit

import (
	"context"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
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
// sharded maps, taken without allocating once the key has been seen. It
// is safe for concurrent use.
//
// A key's first counter, when its limit is GCRA (the default), keeps its
// one word of state in an atomic and is taken without a lock: a take of
// that counter alone (the usual request) finds the key in a lock-free
// index and swaps the new state in. Every other take holds its shard's
// mutex.
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
// collide are chained, which practically never happens. index holds the
// entries whose fast counter is live, for lookups without the lock.
type memShard struct {
	mu    sync.Mutex
	m     map[uint64]*memEntry
	index atomic.Pointer[memIndex]
	_     [104]byte // 128 bytes apart, hot fields never share a cache line
}

type memEntry struct {
	// An entry is two cache lines (128 bytes, so 128-aligned). The first
	// holds what takes write: fast, and the fields written under the
	// lock. The second holds what lookups read and nothing writes once
	// the entry is made, so that it stays cached on every core while the
	// first moves between the cores taking the key: a lookup that read a
	// line another core had just written would cost a second transfer
	// of that line when the take writes it.

	// fast is the GCRA state (theoretical arrival time) of the counter
	// for fastBucket, swapped atomically; it is dead once the entry is
	// dropped or the counter moves to counters.
	fast    atomic.Int64
	next    *memEntry // another key with the same hash
	expires int64     // Unix ns after which every counter in counters is idle
	// counters are the ones taken under the lock: all but fast. Most
	// keys have none, so they are not stored inline.
	counters []memCounter
	_        [16]byte

	key        string // points into keyBuf when the key fits
	hash       uint64 // of key
	fastBucket string
	keyBuf     [24]byte
}

// dead marks a fast counter that must not be taken without the lock.
const dead = math.MinInt64

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

// Take applies req to its counters; it never fails.
func (s *MemoryStore) Take(_ context.Context, req TakeRequest) (Result, error) {
	if len(req.Counters) > maxInline {
		return s.takeMany(req)
	}
	o, at := s.take(req.Key, req.Counters, req.Cost, func() int64 { return req.Now.UnixNano() })
	return o.result(&req.Counters[at].Limit), nil
}

// take is Take of at most maxInline counters at the time clock reads, in
// Unix nanoseconds: the path a [Limiter] calls directly. It returns the
// outcome and the index of the counter it is about, from which the
// caller builds the Result once.
func (s *MemoryStore) take(key string, counters []Counter, cost int64, clock func() int64) (outcome, int) {
	h := maphash.String(s.seed, key)
	sh := &s.shards[h%memShards]
	if c := &counters[0]; len(counters) == 1 && c.Limit.Algorithm == GCRA {
		if x := sh.index.Load(); x != nil {
			if e := x.find(h, key); e != nil && e.fastBucket == c.Bucket {
				// The clock is read only now: a clock read waits for
				// the loads before it, and the lookup's cache misses
				// then overlap with it rather than follow it.
				now := clock()
				if o, ok := e.takeFast(c, now, cost); ok {
					return o, 0
				}
				return sh.take(h, key, counters, cost, now, s.perShard)
			}
		}
	}
	return sh.take(h, key, counters, cost, clock(), s.perShard)
}

// take is MemoryStore.take under the shard's lock, for a shard of limit
// entries.
func (sh *memShard) take(h uint64, key string, counters []Counter, cost, now int64, limit int) (outcome, int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entry(h, key, now, limit, &counters[0])
	if len(counters) == 1 {
		return e.takeOne(sh, &counters[0], now, cost), 0
	}
	return e.takeSeveral(sh, counters, now, cost)
}

// takeFast takes cost from the entry's fast counter, whose limit c is
// GCRA, without a lock; ok is false if the counter is dead.
func (e *memEntry) takeFast(c *Counter, now, cost int64) (o outcome, ok bool) {
	cost = min(cost, c.Limit.capacity()+1) // never overflow
	t := c.interval
	if t == 0 {
		t = c.Limit.interval()
	}
	old := e.fast.Load()
	for old != dead {
		st := State{Time: old}
		o = c.Limit.takeGCRA(&st, now, cost, t)
		// A refusal writes nothing: the state it leaves is as good as
		// the old one.
		if !o.allowed || st.Time == old || e.fast.CompareAndSwap(old, st.Time) {
			return o, true
		}
		old = e.fast.Load()
	}
	return o, false
}

// takeOne applies one counter of a request. The caller holds the lock.
func (e *memEntry) takeOne(sh *memShard, c *Counter, now, cost int64) outcome {
	if e.isFast(sh, c) {
		o, _ := e.takeFast(c, now, cost)
		return o
	}
	mc := &e.counters[e.counter(c.Bucket, now)]
	st := mc.state
	o := c.Limit.take(&st, now, min(cost, c.Limit.capacity()+1), c.interval)
	if o.allowed {
		mc.state, mc.expires = st, now+o.reset
		e.expires = max(e.expires, mc.expires)
	}
	return o
}

// takeSeveral applies a request of several counters, all or nothing. The
// caller holds the lock; the fast counter among them, if any, may still
// be taken concurrently, so its new state is swapped in only if its old
// one is still there, and otherwise the whole request is worked out
// again.
func (e *memEntry) takeSeveral(sh *memShard, counters []Counter, now, cost int64) (outcome, int) {
	n := len(counters)
	req := TakeRequest{Counters: counters, Cost: cost}
	var slot [maxInline]int // indexes, as adding a counter may move the others
	fast := -1
	for i := range n {
		if e.isFast(sh, &counters[i]) {
			slot[i], fast = -1, i
		} else {
			slot[i] = e.counter(counters[i].Bucket, now)
		}
	}
	for {
		var states [maxInline]State
		var idle [maxInline]int64
		var old int64
		for i := range n {
			if i == fast {
				old = e.fast.Load()
				states[i].Time = old
			} else {
				states[i] = e.counters[slot[i]].state
			}
		}
		o, at := req.apply(states[:n], now, idle[:n])
		if !o.allowed {
			return o, at
		}
		if fast >= 0 && !e.fast.CompareAndSwap(old, states[fast].Time) {
			continue
		}
		for i := range n {
			if i != fast {
				c := &e.counters[slot[i]]
				c.state, c.expires = states[i], idle[i]
				e.expires = max(e.expires, idle[i])
			}
		}
		return o, at
	}
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

// entry returns the entry for key, whose hash is h, adding it if needed
// with first as its fast counter if that is GCRA. The caller holds the
// lock.
func (sh *memShard) entry(h uint64, key string, now int64, limit int, first *Counter) *memEntry {
	e := sh.m[h]
	for e != nil && e.key != key {
		e = e.next
	}
	if e == nil {
		e = sh.insert(h, key, now, limit, first)
	}
	return e
}

// isFast reports whether c is the entry's live fast counter. A counter
// whose limit is no longer GCRA moves to the locked counters for good.
// The caller holds the lock.
func (e *memEntry) isFast(sh *memShard, c *Counter) bool {
	if c.Bucket != e.fastBucket || e.fast.Load() == dead {
		return false
	}
	if c.Limit.Algorithm == GCRA {
		return true
	}
	// Its state means nothing to another algorithm: it starts afresh.
	sh.kill(e)
	e.counters = append(e.counters, memCounter{bucket: e.fastBucket})
	return false
}

// idleAt is the time after which every counter of the entry is idle.
func (e *memEntry) idleAt() int64 {
	if tat := e.fast.Load(); tat != dead {
		return max(e.expires, tat) // GCRA is full again at its TAT
	}
	return e.expires
}

// counter returns the index of the entry's locked counter for bucket,
// adding it if needed and resetting it if it has been idle.
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
func (sh *memShard) insert(h uint64, key string, now int64, limit int, first *Counter) *memEntry {
	full := len(sh.m) >= limit
	sample := sweepSample
	if full {
		sample = evictSample
	}
	var victim uint64
	soonest, seen, dropped := int64(0), 0, false
	for vh, e := range sh.m {
		if idle := e.idleAt(); now >= idle {
			sh.drop(vh, e)
			dropped = true
		} else if seen == 0 || idle < soonest {
			victim, soonest = vh, idle
		}
		if seen++; seen == sample {
			break
		}
	}
	if full && !dropped && seen > 0 {
		sh.drop(victim, sh.m[victim])
	}
	e := &memEntry{hash: h, next: sh.m[h]}
	if n := copy(e.keyBuf[:], key); n == len(key) && n > 0 {
		e.key = unsafe.String(&e.keyBuf[0], n)
	} else {
		e.key = strings.Clone(key)
	}
	if first.Limit.Algorithm == GCRA {
		e.fastBucket = first.Bucket // kept as it is, like counter's buckets
		sh.add(e)
	} else {
		e.fast.Store(dead)
	}
	sh.m[h] = e
	return e
}

// drop removes e, the head of the chain for h.
func (sh *memShard) drop(h uint64, e *memEntry) {
	sh.kill(e)
	if e.next != nil {
		sh.m[h] = e.next
	} else {
		delete(sh.m, h)
	}
}

// kill marks e's fast counter dead, so that lock-free takes no longer
// touch it, and takes it out of the index. The caller holds the lock.
func (sh *memShard) kill(e *memEntry) {
	if e.fast.Swap(dead) != dead {
		sh.index.Load().remove(e)
	}
}

// add puts e in the shard's index, growing the index when it is half
// full. The caller holds the lock.
func (sh *memShard) add(e *memEntry) {
	x := sh.index.Load()
	if x == nil || 2*(x.n+1) > len(x.slots) {
		x = x.grown()
		sh.index.Store(x)
	}
	x.put(e)
}

// memIndex is an open-addressing hash table of entries, read without a
// lock and written under the shard's. Deletion shifts later entries back
// rather than leaving tombstones; a reader racing with it may miss an
// entry and then takes the locked path, which finds it in the map. It
// is never more than half full, so every probe ends at an empty slot.
type memIndex struct {
	mask  uint64
	n     int
	slots []atomic.Pointer[memEntry]
}

// home is the slot where the probe for hash h starts. The low bits chose
// the shard, so the index uses the high ones.
func (x *memIndex) home(h uint64) uint64 { return (h >> 32) & x.mask }

// find returns the entry for key, whose hash is h, or nil.
func (x *memIndex) find(h uint64, key string) *memEntry {
	for i := x.home(h); ; i = (i + 1) & x.mask {
		e := x.slots[i].Load()
		if e == nil || e.hash == h && e.key == key {
			return e
		}
	}
}

// grown returns a copy of x with twice the slots (or a first index).
func (x *memIndex) grown() *memIndex {
	size := 8
	if x != nil {
		size = 2 * len(x.slots)
	}
	y := &memIndex{mask: uint64(size - 1), slots: make([]atomic.Pointer[memEntry], size)}
	if x != nil {
		for i := range x.slots {
			if e := x.slots[i].Load(); e != nil {
				y.put(e)
			}
		}
	}
	return y
}

func (x *memIndex) put(e *memEntry) {
	i := x.home(e.hash)
	for x.slots[i].Load() != nil {
		i = (i + 1) & x.mask
	}
	x.slots[i].Store(e)
	x.n++
}

// remove takes e out, shifting back the entries after it whose probe
// would otherwise stop at the hole.
func (x *memIndex) remove(e *memEntry) {
	i := x.home(e.hash)
	for x.slots[i].Load() != e {
		if x.slots[i].Load() == nil {
			return // not indexed
		}
		i = (i + 1) & x.mask
	}
	x.n--
	for j := (i + 1) & x.mask; ; j = (j + 1) & x.mask {
		f := x.slots[j].Load()
		if f == nil {
			break
		}
		// f may move to the hole at i unless its home lies cyclically in (i, j].
		if h := x.home(f.hash); (j-h)&x.mask >= (j-i)&x.mask {
			x.slots[i].Store(f)
			i = j
		}
	}
	x.slots[i].Store(nil)
}
