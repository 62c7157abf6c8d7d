package redisstore

import (
	"context"
	_ "embed"
	"hash/maphash"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/ratelimit"
)

var (
	//go:embed lua/localfirst_gcra.lua
	localFirstGCRASrc string
	localFirstGCRA    = redis.NewScript(clockLib + localFirstGCRASrc)
)

const lfShards = 64

// LocalRateLimitStore is the local-first [ratelimit.Store] of a
// [LocalFirst]: a take whose counters all use GCRA is decided in process
// with [ratelimit.TakeRequest.Apply], the arithmetic every store shares,
// and its units are pushed to Redis at the next sync; any other take goes
// to [RateLimitStore]. It never returns an error for a local take. It is
// safe for concurrent use.
type LocalRateLimitStore struct {
	lf     *LocalFirst
	remote *RateLimitStore // for takes that are not all GCRA
	seed   maphash.Seed
	shards [lfShards]lfShard[string, lfRateEntry]
}

var _ ratelimit.Store = (*LocalRateLimitStore)(nil)

// lfShard is one of a local store's maps, under its own mutex.
type lfShard[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*V
	_  [112]byte // shards on separate cache lines
}

// lfLen counts the entries of shards.
func lfLen[K comparable, V any](shards []lfShard[K, V]) int {
	n := 0
	for i := range shards {
		sh := &shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// lfRateEntry is a key's local copy: its counters, and whether it was
// taken from since the last sync.
type lfRateEntry struct {
	key      string
	active   bool
	counters []lfCounter
	inline   [2]lfCounter
}

// lfCounter is one GCRA counter: the local view (the global state at the
// last sync plus what was taken here since), the units taken here and not
// yet pushed, and those in the push now out.
type lfCounter struct {
	bucket            string
	interval          int64
	state             ratelimit.State
	pending, inflight int64
}

func (r *LocalRateLimitStore) init() {
	r.remote = r.lf.s.RateLimits()
	r.seed = maphash.MakeSeed()
	for i := range r.shards {
		r.shards[i].m = make(map[string]*lfRateEntry)
	}
}

// Take implements [ratelimit.Store].
func (r *LocalRateLimitStore) Take(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
	if err := ctx.Err(); err != nil {
		return ratelimit.Result{}, err
	}
	if !localGCRA(req.Counters) {
		return r.remote.Take(ctx, req)
	}
	n := len(req.Counters)
	var buf [4]ratelimit.State
	var at [4]int
	states, idx := buf[:0], at[:0]
	if n > len(buf) {
		states, idx = make([]ratelimit.State, 0, n), make([]int, 0, n)
	}
	sh := &r.shards[maphash.String(r.seed, req.Key)%lfShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[req.Key]
	if e == nil {
		e = &lfRateEntry{key: strings.Clone(req.Key)}
		e.counters = e.inline[:0]
		sh.m[e.key] = e
	}
	e.active = true
	for i := range req.Counters {
		j := e.counter(&req.Counters[i])
		idx = append(idx, j)
		states = append(states, e.counters[j].state)
	}
	res := req.Apply(states)
	if res.Allowed {
		for i, j := range idx {
			c := &e.counters[j]
			c.state = states[i]
			c.pending += req.Cost
		}
	}
	return res, nil
}

// localGCRA reports whether a take can be decided locally: every counter
// is a valid GCRA limit.
func localGCRA(cs []ratelimit.Counter) bool {
	for i := range cs {
		l := &cs[i].Limit
		if l.Algorithm != ratelimit.GCRA || l.Quota <= 0 || l.Period <= 0 {
			return false
		}
	}
	return len(cs) > 0
}

// counter returns the index of the entry's counter for c, adding it if
// needed, with c's emission interval (the limit may have changed).
func (e *lfRateEntry) counter(c *ratelimit.Counter) int {
	t := max(1, (int64(c.Limit.Period)+c.Limit.Quota-1)/c.Limit.Quota)
	for i := range e.counters {
		if e.counters[i].bucket == c.Bucket {
			e.counters[i].interval = t
			return i
		}
	}
	e.counters = append(e.counters, lfCounter{bucket: c.Bucket, interval: t})
	return len(e.counters) - 1
}

// forceGCRA adds units to a GCRA state at now without a limit, as a take
// the GCRA admits does: the same step as the sync script's.
func forceGCRA(s *ratelimit.State, now, units, interval int64) {
	s.Time = max(max(s.Time, now)+units*interval, now)
}

// rateSync is one key's push: its counters' fields, intervals and units.
type rateSync struct {
	e    *lfRateEntry
	key  string
	args []any
}

// collect moves every active key's pending units into flight and returns
// the pushes to make; it drops keys idle since the last sync whose
// counters are back to full.
func (r *LocalRateLimitStore) collect(now time.Time) []rateSync {
	var out []rateSync
	ns := now.UnixNano()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if !e.active {
				if e.idle(ns) {
					delete(sh.m, k)
				}
				continue
			}
			e.active = false
			p := rateSync{e: e, key: e.key, args: make([]any, 0, 2+3*len(e.counters))}
			for j := range e.counters {
				c := &e.counters[j]
				c.inflight, c.pending = c.pending, 0
				p.args = append(p.args, c.bucket, c.interval, c.inflight)
			}
			out = append(out, p)
		}
		sh.mu.Unlock()
	}
	return out
}

// idle reports whether the entry has nothing to push and every counter
// is full at now: dropping it loses nothing.
func (e *lfRateEntry) idle(now int64) bool {
	for _, c := range e.counters {
		if c.pending != 0 || c.state.Time > now {
			return false
		}
	}
	return true
}

// restore puts the units of pushes that were not sent back to pending.
func (r *LocalRateLimitStore) restore(ps []rateSync) {
	for _, p := range ps {
		r.settle(p, nil, 0)
	}
}

// push queues the pushes on pipe.
func (r *LocalRateLimitStore) push(ctx context.Context, pipe redis.Pipeliner, ps []rateSync, now time.Time) []*redis.Cmd {
	cmds := make([]*redis.Cmd, len(ps))
	for i, p := range ps {
		head := []any{"", ""}
		if r.lf.s.clientTime {
			head = []any{now.Unix(), now.Nanosecond()}
		}
		cmds[i] = localFirstGCRA.EvalSha(ctx, pipe, []string{r.lf.s.rateKey(p.key)}, append(head, p.args...)...)
	}
	return cmds
}

// apply settles each push with its reply, at base on the local clock.
func (r *LocalRateLimitStore) apply(ps []rateSync, cmds []*redis.Cmd, base time.Time) error {
	var first error
	for i, p := range ps {
		v, err := cmds[i].Int64Slice()
		if err == nil && len(v) != len(p.args)/3 {
			err = errMalformed(v)
		}
		if err != nil {
			v = nil
			if first == nil {
				first = err
			}
		}
		r.settle(p, v, base.UnixNano())
	}
	return first
}

// settle ends a push: with the global states tats (relative to now), the
// local view becomes them plus what was taken here since the push; with
// none (a failure), the units go back to pending for the next sync.
func (r *LocalRateLimitStore) settle(p rateSync, tats []int64, now int64) {
	sh := &r.shards[maphash.String(r.seed, p.key)%lfShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := p.e
	if tats == nil {
		e.active = true
	}
	for j := range len(p.args) / 3 {
		c := &e.counters[j] // counters are only ever appended
		if tats == nil {
			c.pending += c.inflight
		} else {
			c.state = ratelimit.State{Time: now + tats[j]}
			forceGCRA(&c.state, now, c.pending, c.interval)
		}
		c.inflight = 0
	}
}

func (r *LocalRateLimitStore) len() int { return lfLen(r.shards[:]) }
