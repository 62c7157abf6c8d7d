package ratelimit

import (
	"context"
	"errors"
	"strconv"
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
	mem    *MemoryStore // store, when it is one: takes skip the interface
	policy *Policy
	c      config
}

// New returns a limiter that applies limits (all of them: a request must
// pass each) to each key, keeping counters in store. limits may be empty
// when every request gets its policy from [WithPolicyFunc] or
// [WithRoute]: requests that get none are then not throttled.
func New(store Store, limits []Limit, opts ...Option) (*Limiter, error) {
	if store == nil {
		return nil, errors.New("ratelimit: nil store")
	}
	l := &Limiter{store: store, c: config{headers: true}}
	if len(limits) > 0 {
		p, err := NewPolicy("", limits...)
		if err != nil {
			return nil, err
		}
		l.policy = p
	}
	for _, o := range opts {
		if err := o(&l.c); err != nil {
			return nil, err
		}
	}
	l.c.defaults()
	l.mem, _ = store.(*MemoryStore)
	return l, nil
}

// Policy returns the limiter's own policy, built from the limits given to
// [New], or nil if there were none.
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
// the limiter's own policy; if that is nil too, everything is allowed),
// or from none. A refusal is a Result with Allowed false about the
// refusing limit with the longest wait; otherwise the Result is about the
// limit with the fewest units left. The limits
// counted per key are taken atomically, in one store operation; Global
// limits in a second one, after which a refusal gives the first one's
// units back. The error wraps [ErrCostTooHigh] if some limit can never
// admit cost, is ctx.Err() if ctx is done, and otherwise comes from the
// store. A negative cost gives units back (work that was not done, say).
func (l *Limiter) TakePolicy(ctx context.Context, p *Policy, key string, cost int64) (Result, error) {
	if p == nil {
		p = l.policy
	}
	if p != nil && l.direct(p) && cost <= p.capacity && ctx.Err() == nil {
		// takePolicy's direct path, repeated here: one call less to copy
		// the Result through is a tenth of a hot-key take.
		o, at := l.mem.take(key, p.local, cost, l.c.nanos)
		return o.result(&p.local[at].Limit), nil
	}
	return l.takePolicy(ctx, p, key, cost, nil)
}

// direct reports whether takes of p may go straight to the memory store,
// skipping the Store interface and the time.Time of a TakeRequest.
func (l *Limiter) direct(p *Policy) bool { return p.direct && l.mem != nil }

// takePolicy is TakePolicy with take, if not nil, in place of the store's
// Take when one store call decides (see [Limiter.CheckWith]).
func (l *Limiter) takePolicy(ctx context.Context, p *Policy, key string, cost int64, take func(context.Context, TakeRequest) (Result, error)) (Result, error) {
	if p == nil {
		if p = l.policy; p == nil {
			return Result{Allowed: true}, nil // no limits, nothing to refuse
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if cost > p.capacity {
		return Result{}, p.costTooHigh(cost)
	}
	if take == nil && l.direct(p) {
		o, at := l.mem.take(key, p.local, cost, l.c.nanos)
		return o.result(&p.local[at].Limit), nil
	}
	req := TakeRequest{Key: key, Counters: p.local, Cost: cost, Now: l.c.time()}
	if len(p.global) == 0 {
		if take != nil {
			return take(ctx, req)
		}
		return l.store.Take(ctx, req)
	}
	var r Result
	if len(p.local) > 0 {
		var err error
		if r, err = l.store.Take(ctx, req); err != nil || !r.Allowed {
			return r, err
		}
	}
	greq := TakeRequest{Counters: p.global, Cost: cost, Now: req.Now}
	g, err := l.store.Take(ctx, greq)
	switch {
	case len(p.local) == 0:
		return g, err
	case err != nil || !g.Allowed:
		if cost > 0 {
			req.Cost = -cost
			_, _ = l.store.Take(ctx, req) // on failure the units stay taken, erring on the safe side
		}
		return g, err
	case better(g, r):
		return g, nil
	}
	return r, nil
}
