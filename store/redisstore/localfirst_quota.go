package redisstore

import (
	"context"
	"errors"
	"hash/maphash"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
)

// quotaIdle is how long a quota bucket stays in memory without use.
const quotaIdle = time.Minute

// LocalQuotaStore is the local-first [quota.Store] of a [LocalFirst]:
// Take, Add and Get work on the local copy of the counter, whose changes
// are pushed to Redis at the next sync with the script of [QuotaStore.Add]
// (so they are never refused), and the reply, the global count, replaces
// the copy. A bucket's first use in the process (or after a minute unused)
// reads its counter from Redis, one round trip; an error then is the only
// one Take, Add and Get return besides ctx.Err(). Set writes through to
// Redis at once. It is safe for concurrent use.
type LocalQuotaStore struct {
	lf     *LocalFirst
	qs     *QuotaStore
	seed   maphash.Seed
	shards [lfShards]lfShard[lfQuotaKey, lfQuotaEntry]
}

var _ quota.Store = (*LocalQuotaStore)(nil)

type lfQuotaKey struct {
	quota, key string
	start, end int64
}

// lfQuotaEntry is a bucket's local copy: the global count at the last
// sync plus what was counted here since, the units counted here and not
// yet pushed, and those in the push now out.
type lfQuotaEntry struct {
	b                       quota.Bucket
	redisKey                string
	used, pending, inflight int64
	active                  bool
	lastActive              time.Time
	gen                     uint64 // bumped by Set: a push out across it must not overwrite its value
}

func (q *LocalQuotaStore) init() {
	q.qs = q.lf.s.Quotas()
	q.seed = maphash.MakeSeed()
	for i := range q.shards {
		q.shards[i].m = make(map[lfQuotaKey]*lfQuotaEntry)
	}
}

// Take implements [quota.Store.Take], on the local copy.
func (q *LocalQuotaStore) Take(ctx context.Context, b quota.Bucket, cost, limit int64) (quota.Usage, error) {
	sh, e, err := q.entry(ctx, b)
	if err != nil {
		return quota.Usage{}, err
	}
	defer sh.mu.Unlock()
	if e.used > limit-cost {
		return quota.Usage{Used: e.used}, nil
	}
	e.used += cost
	e.pending += cost
	return quota.Usage{Used: e.used, Admitted: true}, nil
}

// Add implements [quota.Store.Add], on the local copy.
func (q *LocalQuotaStore) Add(ctx context.Context, b quota.Bucket, delta int64) (quota.Usage, error) {
	sh, e, err := q.entry(ctx, b)
	if err != nil {
		return quota.Usage{}, err
	}
	defer sh.mu.Unlock()
	e.used += delta
	e.pending += delta
	return quota.Usage{Used: e.used}, nil
}

// Get implements [quota.Store.Get]: the local copy.
func (q *LocalQuotaStore) Get(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
	sh, e, err := q.entry(ctx, b)
	if err != nil {
		return quota.Usage{}, err
	}
	defer sh.mu.Unlock()
	return quota.Usage{Used: e.used}, nil
}

// Set implements [quota.Store.Set]. It writes to Redis at once (one round
// trip) and drops the counts not yet pushed from this instance, which the
// new value replaces. Counts pushed concurrently, from here or from other
// instances, may land on either side of it, as with any store.
func (q *LocalQuotaStore) Set(ctx context.Context, b quota.Bucket, used int64) error {
	if err := q.qs.Set(ctx, b, used); err != nil {
		return err
	}
	sh, k := q.shard(b)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[k]
	if e == nil {
		e = q.newEntry(b, k)
		sh.m[k] = e
	}
	e.used, e.pending = used, 0
	e.gen++
	return nil
}

func (q *LocalQuotaStore) shard(b quota.Bucket) (*lfShard[lfQuotaKey, lfQuotaEntry], lfQuotaKey) {
	return &q.shards[maphash.String(q.seed, b.Key)%lfShards],
		lfQuotaKey{quota: b.Quota, key: b.Key, start: b.Start, end: b.End}
}

// entry returns b's entry, marked active, with its shard locked: the
// caller unlocks. A bucket not held is read from Redis first.
func (q *LocalQuotaStore) entry(ctx context.Context, b quota.Bucket) (*lfShard[lfQuotaKey, lfQuotaEntry], *lfQuotaEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	sh, k := q.shard(b)
	sh.mu.Lock()
	e := sh.m[k]
	if e == nil {
		sh.mu.Unlock()
		u, err := q.qs.Get(ctx, b)
		if err != nil {
			return nil, nil, err
		}
		sh.mu.Lock()
		if e = sh.m[k]; e == nil { // another caller may have loaded it meanwhile
			e = q.newEntry(b, k)
			e.used = u.Used
			sh.m[k] = e
		}
	}
	e.active = true
	return sh, e, nil
}

// newEntry returns an entry for b, whose map key is k, owning its strings.
func (q *LocalQuotaStore) newEntry(b quota.Bucket, k lfQuotaKey) *lfQuotaEntry {
	b.Quota, b.Key = strings.Clone(b.Quota), strings.Clone(b.Key)
	return &lfQuotaEntry{b: b, redisKey: q.qs.counterKey(b), used: b.Initial, lastActive: q.lf.now()}
}

// quotaSync is one bucket's push: delta units (0 only reads the count).
type quotaSync struct {
	e     *lfQuotaEntry
	delta int64
	gen   uint64
}

// collect moves every active bucket's pending count into flight and
// returns the pushes to make; it drops buckets unused for quotaIdle.
func (q *LocalQuotaStore) collect(now time.Time) []quotaSync {
	var out []quotaSync
	for i := range q.shards {
		sh := &q.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			switch {
			case e.active || e.pending != 0:
				e.active, e.lastActive = false, now
				e.inflight, e.pending = e.pending, 0
				out = append(out, quotaSync{e: e, delta: e.inflight, gen: e.gen})
			case now.Sub(e.lastActive) >= quotaIdle:
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// restore puts the counts of pushes that were not sent back to pending.
func (q *LocalQuotaStore) restore(ps []quotaSync) {
	for _, p := range ps {
		q.settle(p, 0, false)
	}
}

// push queues the pushes on pipe: the forced add of [QuotaStore.Add], or
// a GET when there is nothing to add (it creates no counter).
func (q *LocalQuotaStore) push(ctx context.Context, pipe redis.Pipeliner, ps []quotaSync) []redis.Cmder {
	cmds := make([]redis.Cmder, len(ps))
	for i, p := range ps {
		b := p.e.b
		if p.delta == 0 {
			cmds[i] = pipe.Get(ctx, p.e.redisKey)
		} else {
			cmds[i] = quotaAdd.EvalSha(ctx, pipe, []string{p.e.redisKey}, b.Initial, p.delta, expireAt(b))
		}
	}
	return cmds
}

// apply settles each push with its reply.
func (q *LocalQuotaStore) apply(ps []quotaSync, cmds []redis.Cmder) error {
	var first error
	for i, p := range ps {
		var used int64
		var err error
		switch c := cmds[i].(type) {
		case *redis.Cmd:
			used, err = c.Int64()
		case *redis.StringCmd:
			used, err = c.Int64()
			if errors.Is(err, redis.Nil) {
				used, err = p.e.b.Initial, nil
			}
		}
		if err != nil && first == nil {
			first = err
		}
		q.settle(p, used, err == nil)
	}
	return first
}

// settle ends a push: on success the local copy becomes the global count
// plus what was counted here since (unless a Set came between); on
// failure the count goes back to pending.
func (q *LocalQuotaStore) settle(p quotaSync, used int64, ok bool) {
	sh, _ := q.shard(p.e.b)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := p.e
	switch {
	case !ok:
		if e.gen == p.gen { // else a Set replaced these counts
			e.pending += e.inflight
		}
		e.active = true
	case e.gen == p.gen:
		e.used = used + e.pending
	}
	e.inflight = 0
}

func (q *LocalQuotaStore) len() int { return lfLen(q.shards[:]) }
