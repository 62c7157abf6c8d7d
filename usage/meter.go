package usage

import (
	"context"
	"errors"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// Meter aggregates usage records in memory, per key, plan, route, method
// and time bucket, and flushes them in batches to a [Store] from a
// background goroutine, so recording never waits on I/O. Memory is
// bounded by [WithMaxBuckets]; a batch the store refuses is kept and
// retried with the same ID. Call [Meter.Close] to flush what is left. It
// is safe for concurrent use.
type Meter struct {
	cfg        config
	store      Store
	shards     []shard
	mask       uint32
	shardFlush int
	bucketSecs int64

	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
	cancel  context.CancelFunc
	closing atomic.Bool
	reg     metric.Registration

	dropped       atomic.Int64 // records dropped since start
	droppedLogged atomic.Int64 // of which already logged
	failures      atomic.Int64 // failed store calls since start

	epoch atomic.Pointer[time.Time] // wall and monotonic reading, see start

	flushMu    sync.Mutex
	pending    *pending    // batch cut but not yet applied, retried as is
	hasPending atomic.Bool // pending != nil, readable without flushMu
}

// pending is a batch awaiting a successful Apply.
type pending struct {
	batch    Batch
	lastUsed map[string]time.Time
}

// Stats is a snapshot of a Meter's counters.
type Stats struct {
	// Dropped counts records lost because the buffer was full or the
	// meter closed.
	Dropped int64
	// FlushFailures counts store calls that failed (and were retried).
	FlushFailures int64
	// Buckets is the number of buckets held and not yet cut into a batch.
	Buckets int
	// Pending is true while a batch awaits a successful retry.
	Pending bool
}

// NewMeter returns a Meter flushing to store and starts its flush loop.
func NewMeter(store Store, opts ...Option) (*Meter, error) {
	if store == nil {
		return nil, errors.New("usage: nil store")
	}
	c := defaults()
	for _, o := range opts {
		o(&c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	n := shardCount(c.maxEntries)
	m := &Meter{
		cfg: c, store: store, shards: make([]shard, n), mask: uint32(n - 1),
		shardFlush: max(1, c.flushSize/n), bucketSecs: int64(c.bucket / time.Second),
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{}),
	}
	for i := range m.shards {
		m.shards[i].entries = map[RowKey]*entry{}
		m.shards[i].max = max(1, c.maxEntries/n)
	}
	m.rebase()
	if err := m.registerMetrics(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.run(ctx)
	return m, nil
}

// shardCount is a power of two near 4×GOMAXPROCS, no larger than the
// number of buckets allowed, so each shard can hold at least one.
func shardCount(maxEntries int) int {
	n := 1 << bits.Len(uint(4*runtime.GOMAXPROCS(0)-1))
	for n > 1 && n > maxEntries {
		n >>= 1
	}
	return min(n, 256)
}

// Record counts rec; a zero rec.Time means now. It never blocks on I/O: when the buffer is full and
// rec needs a new bucket, or the meter is closed, rec is dropped and
// counted in [Stats].Dropped.
func (m *Meter) Record(rec Record) {
	if rec.Time.IsZero() {
		rec.Time = m.start()
	}
	t := rec.Time.Unix()
	k := RowKey{Key: rec.Key, Plan: rec.Plan, Route: rec.Route, Method: rec.Method,
		Start: t - ((t%m.bucketSecs)+m.bucketSecs)%m.bucketSecs}
	ok, size := m.shards[rand.Uint32()&m.mask].add(k, &rec)
	if !ok {
		m.dropped.Add(1)
		return
	}
	if size == m.shardFlush {
		select {
		case m.kick <- struct{}{}:
		default:
		}
	}
}

// Stats returns the meter's counters.
func (m *Meter) Stats() Stats {
	s := Stats{Dropped: m.dropped.Load(), FlushFailures: m.failures.Load()}
	for i := range m.shards {
		s.Buckets += m.shards[i].len()
	}
	s.Pending = m.hasPending.Load()
	return s
}

// rebase re-reads the wall clock, so times derived from the monotonic
// clock follow the system clock's adjustments within a flush interval.
func (m *Meter) rebase() {
	now := time.Now()
	m.epoch.Store(&now)
}
