package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

var (
	//go:embed lua/take_both.lua
	takeBothSrc string
	takeBoth    = redis.NewScript(rateLimitLib + quotaLib + takeBothSrc)
)

// Decision is the outcome of [Store.TakeBoth].
type Decision struct {
	// Allowed reports whether the rate limits and the quota both admitted
	// the request; only then was it counted, in both.
	Allowed bool
	// RateLimit is the rate limits' verdict, as [ratelimit.Store.Take]
	// reports it; RateLimit.Allowed false means throttled. When only the
	// quota refused, it describes the take that was not made.
	RateLimit ratelimit.Result
	// Quota is the quota counter: Used after the request if it was
	// counted, before it otherwise; Admitted reports whether the quota
	// had room for it.
	Quota quota.Usage
}

// TakeBoth decides a request's rate limits (req, as [RateLimitStore.Take])
// and its quota (cost against limit in bucket b, as [QuotaStore.Take]) in
// one round trip and one atomic step: both count the request if both
// admit it, neither otherwise, so a throttled request spends no quota and
// a request over quota no rate. req.Key and b.Key must be the same caller
// key, which keeps both in one Redis Cluster slot.
//
// An error wraps [ratelimit.ErrStoreUnavailable] (or is ctx.Err()). A
// local store keeps no quota, so nothing stands in for the whole call;
// [ratelimit.FallbackStore.TakeWith] can take the rate limits from its
// local store instead, leaving the quota to your failure policy, as
// tollgate's Gate does.
func (s *Store) TakeBoth(ctx context.Context, req ratelimit.TakeRequest, b quota.Bucket, cost, limit int64) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, err
	}
	if req.Key != b.Key {
		return Decision{}, errors.New("redisstore: TakeBoth: rate-limit and quota keys differ")
	}
	q := s.Quotas()
	extra := []any{b.Initial, cost, limit, expireAt(b)}
	_, script := gcraScripts(len(req.Counters))
	args, ok := s.RateLimits().gcraArgs(req, extra)
	if !ok {
		var err error
		if args, err = s.RateLimits().args(req, extra); err != nil {
			return Decision{}, err
		}
		script = takeBoth
	}
	c, cancel := s.call(ctx)
	defer cancel()
	reply, err := script.Run(c, s.client, []string{s.rateKey(req.Key), q.counterKey(b)}, args...).Text()
	if err != nil {
		if err = s.fail(ctx, "take rate limit and quota", err); ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ratelimit.ErrStoreUnavailable, err)
		}
		return Decision{}, err
	}
	var buf [7]int64
	v := unpack(reply, buf[:])
	rl, err := result(req, v)
	if err != nil {
		return Decision{}, fmt.Errorf("%w: redisstore: take rate limit and quota: malformed reply %q", ratelimit.ErrStoreUnavailable, reply)
	}
	d := Decision{RateLimit: rl, Quota: quota.Usage{Used: v[5], Admitted: v[6] == 1}}
	d.Allowed = rl.Allowed && d.Quota.Admitted
	return d, nil
}

// SharesQuotas reports whether q keeps its counters where r does (a
// [QuotaStore] of a Store on the same client and prefix), so that
// [RateLimitStore.TakeBoth] can decide them together. tollgate's Gate
// checks it to decide a request's throttle and quota in one round trip.
func (r *RateLimitStore) SharesQuotas(q quota.Store) bool {
	qs, ok := q.(*QuotaStore)
	return ok && qs.s.client == r.s.client && qs.s.prefix == r.s.prefix
}

// TakeBoth is [Store.TakeBoth] with its outcome as the ratelimit and quota
// packages report them: the rate limits' verdict, and the quota counter
// with Admitted as [Decision.Quota] has it.
func (r *RateLimitStore) TakeBoth(ctx context.Context, req ratelimit.TakeRequest, b quota.Bucket, cost, limit int64) (ratelimit.Result, quota.Usage, error) {
	d, err := r.s.TakeBoth(ctx, req, b, cost, limit)
	return d.RateLimit, d.Quota, err
}
