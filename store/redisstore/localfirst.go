package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// LocalFirst decides rate limits and quotas from a copy held in process
// and syncs the counts with Redis in the background, so that a decision
// never waits for the network: it costs about what
// [ratelimit.MemoryStore] does, against a round trip (at best a few
// times a PING) for [RateLimitStore] and [QuotaStore]. The price is a
// bounded over-admission across instances, described below. Use it for
// hot keys, where a round trip per request is the bottleneck.
//
// Take its stores with [LocalFirst.RateLimits] and [LocalFirst.Quotas];
// they plug into ratelimit.New, quota.New and tollgate's Gate like any
// other store. Every key they see is local-first.
//
// # Sync
//
// Every interval ([WithSyncInterval], default 5 ms) one goroutine pushes
// what each key took locally since the last push to Redis, in one
// pipeline of one script per key, and the reply, the global state with
// the push applied, replaces the local copy (plus anything taken locally
// while the push was out). Counts are forced in, never refused: they were
// admitted already. For a rate limit the excess is a debt in the shared
// GCRA state, so afterwards every instance refuses until it drains; for a
// quota the counter simply goes over its limit. Either way the
// over-admission is paid back rather than accumulated.
//
// Keys with no take since the last sync are not pushed or refreshed; a
// rate-limit key is dropped from memory once its counters are back to
// full, a quota bucket after a minute without use, so memory follows the
// keys in use.
//
// # Over-admission bound
//
// Let N instances share a key, Δ be the sync interval, L the sync's
// round trip (Redis's latency, plus the pipeline), and for a GCRA limit r
// the rate and b the burst. An instance admits from a view that misses
// only the other instances' units not yet pushed when its last sync was
// sent; each of them pushes every Δ, and its GCRA cannot admit more than
// b + r·s units in any span s, so beyond what one shared store would
// admit at most
//
//	E = (N−1) · (b + r·(2Δ + L)) + N   units (N for rounding)
//
// pass for a rate limit, and over any span T at most b + r·T + E in
// total: the excess is never more than E at once, and every unit is
// forced into the shared state, so it does not accumulate. Instances that
// do not take from the key add nothing. For a quota of limit Q the used
// count ends at most Q + E_q, where E_q is the units the other N−1
// instances admit in any span of 2Δ + L: a quota has no rate of its own
// to bound that by (its request rate does), so in the worst case E_q is
// (N−1)·Q. TestLocalFirstOverAdmission and
// TestLocalFirstQuotaOverAdmission measure them.
//
// Under saturation the bound is approached from the other side too:
// counts are forced in when pushed rather than when admitted, so each
// cycle of debt loses up to Δ of refill, and N saturated instances may
// together admit somewhat less than r (measured: all of it with b = 20,
// r = 100/s, Δ = 10 ms; 80% with b = 1, r = 1000/s, Δ = 5 ms). A larger
// burst or a shorter interval narrows both gaps.
//
// A key seen for the first time, or again after being dropped, starts
// from a full bucket for rate limits (its first sync brings it in line,
// within the bound above); a quota bucket's first use reads its counter
// from Redis, one round trip, since a quota has no refill to hide a wrong
// start behind.
//
// # Algorithms
//
// Rate limits are local-first when every counter of a take uses
// [ratelimit.GCRA], the default: GCRA's state is one time, which holds a
// debt of any size, so units admitted elsewhere can be added to it
// without a limit; the token bucket caps its deficit at the burst and the
// windows would need each count pushed into the window it fell in. Other
// takes go to [RateLimitStore], one round trip each, as before.
//
// Throttle and quota are separate stores here (there is no TakeBoth):
// the Gate takes the quota only once the throttle admitted the request,
// so a throttled request spends no quota, as with any pair of stores.
//
// # Failures
//
// A failed sync keeps its counts and retries them at the next interval;
// decisions go on locally, so while Redis is unreachable each instance
// limits on its own (N instances admit up to N times the limit) and
// nothing is lost when it comes back. A push whose reply is lost after
// Redis ran it (a connection cut at the wrong moment) is pushed again, so
// those counts are counted twice: the error is on the side of refusing.
// [LocalFirst.Stats] counts syncs and failures; [Store.Stats] counts the
// failures too.
//
// # Time
//
// Decisions use the limiter's clock ([ratelimit.TakeRequest.Now]). Syncs
// read [WithSyncClock]; they run at the Redis server's TIME unless the
// Store has [WithClientTime], and map the reply onto the local clock when
// it arrives.
//
// # Interplay
//
// The counters live where [RateLimitStore] and [QuotaStore] keep them, in
// the same format, so a local-first instance and a one-round-trip
// instance can share a key: the latter sees the former's counts once they
// are pushed. [LocalFirst.Close] pushes every count left; call it before
// the process exits.
//
// It is safe for concurrent use.
type LocalFirst struct {
	s        *Store
	interval time.Duration
	now      func() time.Time
	rl       *LocalRateLimitStore
	q        *LocalQuotaStore

	syncMu sync.Mutex // one sync at a time
	loaded atomic.Bool
	stop   chan struct{}
	done   chan struct{}
	closed atomic.Bool

	syncs, errs atomic.Uint64
}

// LocalFirstOption configures a [LocalFirst].
type LocalFirstOption func(*LocalFirst) error

// WithSyncInterval sets how often counts are pushed to Redis. Shorter
// means a tighter bound on over-admission and more Redis traffic (one
// script call per key in use per interval). 0 starts no goroutine: the
// caller syncs with [LocalFirst.Sync] (tests, or a scheduler of its own).
// Default: 5 ms.
func WithSyncInterval(d time.Duration) LocalFirstOption {
	return func(l *LocalFirst) error {
		if d < 0 {
			return errors.New("redisstore: negative sync interval")
		}
		l.interval = d
		return nil
	}
}

// WithSyncClock sets the clock syncs read, to map the global state onto
// local time, and (with [WithClientTime]) to tell Redis the time; use the
// limiter's clock. nil means time.Now. Default: time.Now.
func WithSyncClock(now func() time.Time) LocalFirstOption {
	return func(l *LocalFirst) error {
		if now == nil {
			now = time.Now
		}
		l.now = now
		return nil
	}
}

// LocalFirst returns a local-first view of the store's rate limits and
// quotas and, unless [WithSyncInterval] is 0, starts its sync goroutine:
// call [LocalFirst.Close] when done.
func (s *Store) LocalFirst(opts ...LocalFirstOption) (*LocalFirst, error) {
	l := &LocalFirst{s: s, interval: 5 * time.Millisecond, now: time.Now}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	l.rl = &LocalRateLimitStore{lf: l}
	l.q = &LocalQuotaStore{lf: l}
	l.rl.init()
	l.q.init()
	if l.interval > 0 {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.run()
	}
	return l, nil
}

// RateLimits returns the local-first [ratelimit.Store].
func (l *LocalFirst) RateLimits() *LocalRateLimitStore { return l.rl }

// Quotas returns the local-first [quota.Store].
func (l *LocalFirst) Quotas() *LocalQuotaStore { return l.q }

// LocalFirstStats counts a LocalFirst's syncs since it was made.
type LocalFirstStats struct {
	// Syncs counts syncs that reached Redis without error.
	Syncs uint64
	// Errors counts syncs that failed; their counts were kept for the
	// next.
	Errors uint64
	// Keys is the number of rate-limit keys and quota buckets held now.
	Keys int
}

// Stats returns the sync counts, for metrics.
func (l *LocalFirst) Stats() LocalFirstStats {
	return LocalFirstStats{Syncs: l.syncs.Load(), Errors: l.errs.Load(), Keys: l.rl.len() + l.q.len()}
}

func (l *LocalFirst) run() {
	defer close(l.done)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.Sync(context.Background()) // counted; the counts wait for the next tick
		}
	}
}

// Close stops the sync goroutine and pushes every count not yet pushed,
// retrying each interval (at least every millisecond) until it succeeds
// or ctx ends, in which case it returns the last error and the counts
// left stay local. Decisions still work after Close, locally; call Sync
// to push them. Close is idempotent.
func (l *LocalFirst) Close(ctx context.Context) error {
	if l.closed.CompareAndSwap(false, true) && l.stop != nil {
		close(l.stop)
		<-l.done
	}
	wait := max(l.interval, time.Millisecond)
	for {
		err := l.Sync(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// Sync pushes the counts taken since the last sync and refreshes the
// local copy of every key taken from since, now. The sync goroutine calls
// it every interval; call it yourself to sync at a time of your choosing
// (with [WithSyncInterval](0), in tests). A failure leaves the counts to
// the next sync and is returned.
func (l *LocalFirst) Sync(ctx context.Context) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	err := l.syncOnce(ctx)
	if isNoScript(err) {
		// Redis lost its script cache (a restart, a failover): load the
		// scripts and push again the counts, which are still pending.
		if err = l.loadScripts(ctx); err == nil {
			err = l.syncOnce(ctx)
		}
	}
	if err != nil {
		l.errs.Add(1)
		return l.s.fail(ctx, "local-first sync", err)
	}
	l.syncs.Add(1)
	return nil
}

// syncOnce collects every key's pending counts, pushes them in one
// pipeline and applies the replies. It returns the first error; keys
// whose push failed keep their counts.
func (l *LocalFirst) syncOnce(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sent := l.now()
	rates := l.rl.collect(sent)
	quotas := l.q.collect(sent)
	if len(rates) == 0 && len(quotas) == 0 {
		return nil
	}
	if !l.loaded.Load() {
		if err := l.loadScripts(ctx); err != nil {
			l.rl.restore(rates)
			l.q.restore(quotas)
			return err
		}
	}
	c, cancel := l.s.call(ctx)
	defer cancel()
	pipe := l.s.client.Pipeline()
	rcmds := l.rl.push(c, pipe, rates, sent)
	qcmds := l.q.push(c, pipe, quotas)
	_, _ = pipe.Exec(c) // each command's error is read below
	base := sent
	if !l.s.clientTime {
		// The reply's times are relative to the server's now, which is
		// later than sent: mapping them at the reply errs on the safe side.
		base = l.now()
	}
	err := l.rl.apply(rates, rcmds, base)
	if qerr := l.q.apply(quotas, qcmds); err == nil {
		err = qerr
	}
	return err
}

// loadScripts loads the sync's scripts, so that pipelined EVALSHAs find
// them (a pipeline cannot fall back to EVAL command by command).
func (l *LocalFirst) loadScripts(ctx context.Context) error {
	c, cancel := l.s.call(ctx)
	defer cancel()
	for _, sc := range []*redis.Script{localFirstGCRA, quotaAdd} {
		if err := sc.Load(c, l.s.client).Err(); err != nil {
			return err
		}
	}
	l.loaded.Store(true)
	return nil
}

func isNoScript(err error) bool {
	return err != nil && strings.Contains(err.Error(), "NOSCRIPT")
}

// errMalformed reports a sync reply of the wrong shape.
func errMalformed(v any) error {
	return fmt.Errorf("malformed sync reply %v", v)
}
