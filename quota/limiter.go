package quota

import (
	"context"
	"fmt"
	"time"
)

// Limiter counts usage against quotas in a [Store]. Its methods are the
// operations API Gateway offers on usage plans: check-and-count ([Limiter.Take]),
// read usage ([Limiter.Usage]), and UpdateUsage's grants and resets
// ([Limiter.Grant], [Limiter.Reset], [Limiter.SetRemaining]); its
// [Limiter.Middleware] applies a quota to HTTP requests. It is safe for
// concurrent use.
type Limiter struct {
	store   Store
	cfg     config
	windows windowCache
}

// New returns a Limiter that keeps its counters in store.
func New(store Store, opts ...Option) (*Limiter, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalidQuota)
	}
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Limiter{store: store, cfg: c}, nil
}

// Take counts cost against key's quota q in the current period if the
// quota allows it, atomically, and reports the outcome. A refusal is
// Result.Allowed == false, not an error; errors mean q or cost is invalid
// ([ErrInvalidQuota]) or the store failed ([ErrStore], or ctx.Err()). A
// cost of 0 counts nothing and is always allowed.
func (l *Limiter) Take(ctx context.Context, key string, q Quota, cost int64) (Result, error) {
	return l.take(ctx, key, q, cost, l.cfg.now(), nil)
}

// TakeWith is [Limiter.Take] with the store's Take replaced by take, for
// a caller that decides this quota together with something else in one
// store call (tollgate's Gate takes the caller's rate limits with it).
// take gets the current period's [Bucket], its Initial included, and
// answers as [Store.Take] would. It is not called for a cost of 0 (the
// store's Get answers) nor when q or cost is invalid.
func (l *Limiter) TakeWith(ctx context.Context, key string, q Quota, cost int64, take func(context.Context, Bucket) (Usage, error)) (Result, error) {
	return l.take(ctx, key, q, cost, l.cfg.now(), take)
}

func (l *Limiter) take(ctx context.Context, key string, q Quota, cost int64, now time.Time, take func(context.Context, Bucket) (Usage, error)) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	if cost < 0 {
		return Result{}, fmt.Errorf("%w: negative cost %d", ErrInvalidQuota, cost)
	}
	start, end := l.windows.window(q, now)
	b := q.bucket(key, start, end)
	var u Usage
	var err error
	if cost == 0 {
		u, err = l.store.Get(ctx, b)
		u.Admitted = true
	} else if take != nil {
		u, err = take(ctx, b)
	} else {
		u, err = l.store.Take(ctx, b, cost, q.Limit)
	}
	if err != nil {
		return Result{}, storeErr(ctx, err)
	}
	r := newResult(q, b, start, end, now, u)
	r.Allowed = u.Admitted
	if u.Admitted {
		r.Cost = cost
	}
	return r, nil
}

// Refund gives back what r charged, to the counter of the period r was
// charged in. It does nothing for a refused result or once that period has
// ended, so a refund never lands in a different period.
func (l *Limiter) Refund(ctx context.Context, r Result) error {
	if !r.Allowed || r.Cost == 0 || !r.Reset.IsZero() && !l.cfg.now().Before(r.Reset) {
		return nil
	}
	_, err := l.store.Add(ctx, r.bucket, -r.Cost)
	return storeErr(ctx, err)
}

// Usage returns key's usage and remaining quota in the current period of
// q, changing nothing.
func (l *Limiter) Usage(ctx context.Context, key string, q Quota) (Result, error) {
	return l.UsageAt(ctx, key, q, l.cfg.now())
}

// UsageAt is [Limiter.Usage] for the period of q that contains t, e.g. the
// previous month. A store may have dropped a period that has ended; its
// usage then reads as not used.
func (l *Limiter) UsageAt(ctx context.Context, key string, q Quota, t time.Time) (Result, error) {
	return l.update(ctx, key, q, t, func(b Bucket) (Usage, error) { return l.store.Get(ctx, b) })
}

// Grant adds n to key's remaining quota in the current period of q, as
// API Gateway's UpdateUsage grants a temporary extension; a negative n
// takes quota away. For a [Forever] quota it tops up the balance.
func (l *Limiter) Grant(ctx context.Context, key string, q Quota, n int64) (Result, error) {
	return l.update(ctx, key, q, l.cfg.now(), func(b Bucket) (Usage, error) { return l.store.Add(ctx, b, -n) })
}

// Reset sets key's usage in the current period of q to zero.
func (l *Limiter) Reset(ctx context.Context, key string, q Quota) (Result, error) {
	return l.SetRemaining(ctx, key, q, q.Limit)
}

// SetRemaining sets key's remaining quota in the current period of q to n,
// which may exceed q.Limit. For a [Forever] quota it sets the balance.
func (l *Limiter) SetRemaining(ctx context.Context, key string, q Quota, n int64) (Result, error) {
	return l.update(ctx, key, q, l.cfg.now(), func(b Bucket) (Usage, error) {
		used := q.Limit - n
		return Usage{Used: used}, l.store.Set(ctx, b, used)
	})
}

func (l *Limiter) update(ctx context.Context, key string, q Quota, at time.Time, op func(Bucket) (Usage, error)) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	start, end := q.Window(at)
	b := q.bucket(key, start, end)
	u, err := op(b)
	if err != nil {
		return Result{}, storeErr(ctx, err)
	}
	r := newResult(q, b, start, end, at, u)
	r.Allowed = r.Remaining > 0
	return r, nil
}
