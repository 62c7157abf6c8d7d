package tollgate

import (
	"cmp"
	"context"
	"net/http"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// jointStore is a rate-limit store that can decide a quota kept by a
// quota store in the same store call, all or nothing: a store over one
// Redis (store/redisstore's RateLimitStore) decides a request's throttle
// and quota in one round trip.
type jointStore interface {
	// SharesQuotas reports whether TakeBoth can decide q's counters.
	SharesQuotas(q quota.Store) bool
	// TakeBoth takes req from the rate limits and cost against limit in
	// bucket b, both or neither; req.Key is b.Key.
	TakeBoth(ctx context.Context, req ratelimit.TakeRequest, b quota.Bucket, cost, limit int64) (ratelimit.Result, quota.Usage, error)
}

// fallbackStore is a rate-limit store that takes from a local store
// while its primary fails ([ratelimit.FallbackStore]), and can take from
// the primary through a call of the caller's.
type fallbackStore interface {
	Primary() ratelimit.Store
	TakeWith(ctx context.Context, req ratelimit.TakeRequest, take func(context.Context, ratelimit.TakeRequest) (ratelimit.Result, error)) (ratelimit.Result, error)
}

// jointStoreFor returns cfg's rate-limit store as a jointStore if it can
// decide cfg's quotas, or nil; and, if that store is the primary of a
// fallbackStore, the fallbackStore.
func jointStoreFor(cfg Config) (jointStore, fallbackStore) {
	rl := cfg.RateLimitStore
	fb, _ := rl.(fallbackStore)
	if fb != nil {
		rl = fb.Primary()
	}
	if js, ok := rl.(jointStore); ok && js.SharesQuotas(cfg.QuotaStore) {
		return js, fb
	}
	return nil, nil
}

// decide takes the throttle into d, then the quota into q if the
// throttle admitted the request; with a jointStore, both in one store
// call. It answers a store failure itself (unless FailOpen) and then
// reports false.
func (g *Gate) decide(w http.ResponseWriter, r *http.Request, id *auth.Identity, p *compiledPlan, rt *planRuntime, d *ratelimit.Decision, q *quota.Result) bool {
	start := g.clockForMetrics()
	var err, qerr error
	joint := false
	if g.joint != nil && p.Quota.Limit > 0 && g.cost(r) > 0 {
		*d, *q, joint, qerr, err = g.decideJoint(r, id, p, rt)
	} else {
		*d, err = rt.limiter.Check(r)
	}
	op := "ratelimit.take"
	if joint {
		op = "ratelimit+quota.take"
	}
	g.storeCall(r, op, start, cmp.Or(err, qerr))
	if err != nil {
		if !g.failOpen(w, r, err) {
			return false
		}
		*d, *q = ratelimit.Decision{}, quota.Result{} // let through: nothing was decided or counted
	}
	if qerr != nil && !g.failOpen(w, r, qerr) {
		return false
	}
	if !joint && p.Quota.Limit > 0 && (!d.Counted || d.Result.Allowed) {
		start = g.clockForMetrics()
		*q, err = g.quota.Take(r.Context(), g.cfg.Key(id), p.Quota, g.cost(r))
		g.storeCall(r, "quota.take", start, err)
		if err != nil {
			if !g.failOpen(w, r, err) {
				return false
			}
			*q = quota.Result{}
		}
	}
	return true
}

// decideJoint decides throttle and quota in one call to g.joint, when the
// limiter reaches its store in one call; joint reports whether it did.
// A throttled request's quota result is dropped: nothing was counted.
// When that call fails and g.fallback's local store takes the throttle
// instead, qerr is the quota's store error if the throttle admitted the
// request (nil if it refused it): the caller applies the fail policy.
func (g *Gate) decideJoint(r *http.Request, id *auth.Identity, p *compiledPlan, rt *planRuntime) (d ratelimit.Decision, q quota.Result, joint bool, qerr, err error) {
	key, cost := g.cfg.Key(id), g.cost(r)
	both := func(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
		var rl ratelimit.Result
		q, qerr = g.quota.TakeWith(ctx, key, p.Quota, cost, func(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
			var u quota.Usage
			var err error
			rl, u, err = g.joint.TakeBoth(ctx, req, b, cost, p.Quota.Limit)
			return u, err
		})
		return rl, qerr
	}
	d, err = rt.limiter.CheckWith(r, func(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
		joint = true
		if g.fallback == nil {
			return both(ctx, req)
		}
		return g.fallback.TakeWith(ctx, req, both)
	})
	if err != nil || !d.Result.Allowed {
		q, qerr = quota.Result{}, nil
	}
	return d, q, joint, qerr, err
}
