package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrLimited is matched by every [*LimitError].
var ErrLimited = errors.New("ratelimit: rate limit exceeded")

// LimitError reports a refusal; errors.Is(err, ErrLimited) holds for it.
type LimitError struct {
	// Result is the refusing limit's result; Result.RetryAfter is the wait.
	Result Result
}

// Error names the limit and the wait.
func (e *LimitError) Error() string {
	return "ratelimit: limit " + strconv.Quote(e.Result.Limit.Name) + " exceeded, retry after " + e.Result.RetryAfter.String()
}

// Unwrap returns [ErrLimited].
func (e *LimitError) Unwrap() error { return ErrLimited }

// Limiter applies limits to keys, through a [Store]. Use it directly
// ([Limiter.Take]) for WebSocket messages, RPCs or jobs, or as HTTP
// middleware ([Limiter.Middleware]). It is safe for concurrent use.
type Limiter struct {
	store  Store
	policy *Policy
	c      config
}

// New returns a limiter that applies limits (all of them: a request must
// pass each) to each key, keeping counters in store.
func New(store Store, limits []Limit, opts ...Option) (*Limiter, error) {
	if store == nil {
		return nil, errors.New("ratelimit: nil store")
	}
	p, err := NewPolicy("", limits...)
	if err != nil {
		return nil, err
	}
	l := &Limiter{store: store, policy: p, c: config{headers: true}}
	for _, o := range opts {
		if err := o(&l.c); err != nil {
			return nil, err
		}
	}
	l.c.defaults()
	return l, nil
}

// Policy returns the limiter's own policy, built from the limits given to [New].
func (l *Limiter) Policy() *Policy { return l.policy }

// Allow takes one unit for key from the limiter's own policy.
func (l *Limiter) Allow(ctx context.Context, key string) (Result, error) {
	return l.TakePolicy(ctx, l.policy, key, 1)
}

// Take takes cost units for key from the limiter's own policy; see
// [Limiter.TakePolicy].
func (l *Limiter) Take(ctx context.Context, key string, cost int64) (Result, error) {
	return l.TakePolicy(ctx, l.policy, key, cost)
}

// TakePolicy takes cost units for key from every limit of p (nil means
// the limiter's own policy), or none.
// A refusal is a Result with Allowed false, about the refusing limit;
// otherwise the Result is about the limit with the fewest units left.
// When a later limit refuses, the units already taken from earlier ones
// are given back, so each limit counts exactly what it admitted (though a
// concurrent take may briefly see them gone). The error wraps
// [ErrCostTooHigh] if some limit can never admit cost, is ctx.Err() if
// ctx is done, and otherwise comes from the store. A negative cost gives
// units back (work that was not done, say).
func (l *Limiter) TakePolicy(ctx context.Context, p *Policy, key string, cost int64) (Result, error) {
	if p == nil {
		p = l.policy
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	for i := range p.limits {
		if cost > p.limits[i].capacity() {
			return Result{Limit: p.limits[i]}, fmt.Errorf("%w: %d > %d for limit %q", ErrCostTooHigh, cost, p.limits[i].capacity(), p.limits[i].Name)
		}
	}
	now := l.c.now()
	var best Result
	for i := range p.limits {
		r, err := l.store.Take(ctx, l.request(p, i, key, cost, now))
		if err != nil || !r.Allowed {
			l.giveBack(ctx, p, i, key, cost, now)
			return r, err
		}
		if i == 0 || r.Remaining < best.Remaining || r.Remaining == best.Remaining && r.Reset > best.Reset {
			best = r
		}
	}
	return best, nil
}

func (l *Limiter) request(p *Policy, i int, key string, cost int64, now time.Time) TakeRequest {
	if p.limits[i].Global {
		key = ""
	}
	return TakeRequest{Bucket: p.buckets[i], Key: key, Limit: p.limits[i], Cost: cost, Now: now}
}

// giveBack returns cost to the first n limits of p after a refusal.
// Failures are ignored: the units then stay taken, which errs on the
// side of the limit.
func (l *Limiter) giveBack(ctx context.Context, p *Policy, n int, key string, cost int64, now time.Time) {
	if cost <= 0 {
		return
	}
	for i := range n {
		_, _ = l.store.Take(ctx, l.request(p, i, key, -cost, now))
	}
}
