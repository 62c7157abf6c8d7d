package usage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// QuotaLookup tells reports how much of a key's quota remains. The quota
// package's enforcer can be adapted to it with [QuotaLookupFunc].
type QuotaLookup interface {
	// QuotaStatus returns the quota that applies to key now. A key without
	// a quota yields a status with Applies false, not an error; an error
	// means the backend failed.
	QuotaStatus(ctx context.Context, key string) (QuotaStatus, error)
}

// QuotaLookupFunc adapts a function to [QuotaLookup].
type QuotaLookupFunc func(ctx context.Context, key string) (QuotaStatus, error)

// QuotaStatus implements [QuotaLookup].
func (f QuotaLookupFunc) QuotaStatus(ctx context.Context, key string) (QuotaStatus, error) {
	return f(ctx, key)
}

// QuotaStatus is the state of a key's quota in the current period.
type QuotaStatus struct {
	Applies   bool      `json:"-"`
	Limit     int64     `json:"limit"`
	Remaining int64     `json:"remaining"`
	Period    string    `json:"period,omitempty"` // such as "DAY" or "MONTH"
	Resets    time.Time `json:"resets,omitzero"`
}

// Errors a report can return for a bad request.
var (
	ErrInvalidRange   = errors.New("usage: invalid report range")
	ErrRangeTooLarge  = errors.New("usage: report range has too many periods")
	errBadGranularity = errors.New("usage: invalid granularity")
)

// maxPeriods bounds the periods one report may hold (about a year of hours).
const maxPeriods = 10_000

// Reporter answers usage questions from a [Store]. It is safe for
// concurrent use.
type Reporter struct {
	store Store
	quota QuotaLookup
	loc   *time.Location
}

// ReportOption configures [NewReporter].
type ReportOption func(*Reporter)

// WithQuota adds the remaining quota to [Reporter.GetUsage]. Default: none.
func WithQuota(q QuotaLookup) ReportOption { return func(r *Reporter) { r.quota = q } }

// WithLocation sets the time zone days and months start in. Reports are
// exact when the zone's offset from UTC is a multiple of the meter's
// bucket width ([WithBucket]): any whole-hour zone with the default
// one-hour buckets; use 30-minute buckets for zones such as India's.
// Default: UTC.
func WithLocation(loc *time.Location) ReportOption { return func(r *Reporter) { r.loc = loc } }

// NewReporter returns a Reporter reading store.
func NewReporter(store Store, opts ...ReportOption) (*Reporter, error) {
	if store == nil {
		return nil, errors.New("usage: nil store")
	}
	r := &Reporter{store: store, loc: time.UTC}
	for _, o := range opts {
		o(r)
	}
	if r.loc == nil {
		return nil, errors.New("usage: nil location")
	}
	return r, nil
}

// Usage is one key's usage over a range, period by period.
type Usage struct {
	Key         string       `json:"key"`
	Granularity Granularity  `json:"granularity"`
	Periods     []Period     `json:"periods"`
	Total       Counters     `json:"total"`
	Quota       *QuotaStatus `json:"quota,omitempty"` // nil when no quota applies
}

// Period is the usage in [Start, End).
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Counters
}

// GetUsage returns key's usage from the period holding from up to the
// end of the period holding the instant before to, one [Period] per
// granularity step, empty periods included, like API Gateway's GetUsage.
// An empty key sums every key's usage.
func (r *Reporter) GetUsage(ctx context.Context, key string, from, to time.Time, g Granularity) (Usage, error) {
	periods, err := r.periods(from, to, g)
	if err != nil {
		return Usage{}, err
	}
	res, err := r.store.Query(ctx, Filter{Key: key, From: periods[0].Start, To: periods[len(periods)-1].End})
	if err != nil {
		return Usage{}, storeErr(ctx, err)
	}
	u := Usage{Key: key, Granularity: g, Periods: periods}
	for _, row := range res.Rows {
		i := periodIndex(periods, row.Start)
		periods[i].Add(row.Counters)
		u.Total.Add(row.Counters)
	}
	if r.quota != nil {
		q, err := r.quota.QuotaStatus(ctx, key)
		if err != nil {
			return Usage{}, fmt.Errorf("usage: quota lookup: %w", err)
		}
		if q.Applies {
			u.Quota = &q
		}
	}
	return u, nil
}

// periods lays out the empty periods covering [from, to).
func (r *Reporter) periods(from, to time.Time, g Granularity) ([]Period, error) {
	if !g.valid() {
		return nil, errBadGranularity
	}
	if !from.Before(to) {
		return nil, ErrInvalidRange
	}
	var ps []Period
	for s := g.floor(from, r.loc); s.Before(to); s = g.next(s) {
		if len(ps) == maxPeriods {
			return nil, ErrRangeTooLarge
		}
		ps = append(ps, Period{Start: s, End: g.next(s)})
	}
	return ps, nil
}

// periodIndex returns the index of the period holding t.
func periodIndex(ps []Period, t time.Time) int {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].End.After(t) })
	return min(i, len(ps)-1)
}

// RouteUsage is the usage of one route and method.
type RouteUsage struct {
	Route  string `json:"route"`
	Method string `json:"method"`
	Counters
}

// ByRoute breaks usage in [from, to) down by route and method, busiest
// first. An empty key covers every key.
func (r *Reporter) ByRoute(ctx context.Context, key string, from, to time.Time) ([]RouteUsage, error) {
	rows, err := r.query(ctx, key, from, to)
	if err != nil {
		return nil, err
	}
	type rk struct{ route, method string }
	sums := map[rk]*RouteUsage{}
	for _, row := range rows {
		u := sums[rk{row.Route, row.Method}]
		if u == nil {
			u = &RouteUsage{Route: row.Route, Method: row.Method}
			sums[rk{row.Route, row.Method}] = u
		}
		u.Add(row.Counters)
	}
	out := make([]RouteUsage, 0, len(sums))
	for _, u := range sums {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b RouteUsage) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return out, nil
}

// KeyUsage is the usage of one key.
type KeyUsage struct {
	Key  string `json:"key"`
	Plan string `json:"plan,omitempty"` // the plan of the key's latest bucket
	Counters
}

// TopConsumers returns the n keys with the most requests in [from, to),
// most first. Anonymous usage is left out.
func (r *Reporter) TopConsumers(ctx context.Context, from, to time.Time, n int) ([]KeyUsage, error) {
	rows, err := r.query(ctx, "", from, to)
	if err != nil {
		return nil, err
	}
	sums := map[string]*KeyUsage{}
	latest := map[string]time.Time{}
	for _, row := range rows {
		if row.Key == "" {
			continue
		}
		u := sums[row.Key]
		if u == nil {
			u = &KeyUsage{Key: row.Key}
			sums[row.Key] = u
		}
		u.Add(row.Counters)
		if !row.Start.Before(latest[row.Key]) {
			latest[row.Key], u.Plan = row.Start, row.Plan
		}
	}
	out := make([]KeyUsage, 0, len(sums))
	for _, u := range sums {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b KeyUsage) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Key, b.Key))
	})
	return out[:min(max(n, 0), len(out))], nil
}

func (r *Reporter) query(ctx context.Context, key string, from, to time.Time) ([]Row, error) {
	if !from.Before(to) {
		return nil, ErrInvalidRange
	}
	res, err := r.store.Query(ctx, Filter{Key: key, From: from, To: to})
	if err != nil {
		return nil, storeErr(ctx, err)
	}
	return res.Rows, nil
}

// storeErr wraps a store failure; the context's own error passes through
// unchanged.
func storeErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return ctxErr
	}
	return fmt.Errorf("usage: query: %w", err)
}
