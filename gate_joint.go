package tollgate

import (
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

// jointStoreFor returns cfg's rate-limit store as a jointStore if it can
// decide cfg's quotas, or nil.
func jointStoreFor(cfg Config) jointStore {
	if js, ok := cfg.RateLimitStore.(jointStore); ok && js.SharesQuotas(cfg.QuotaStore) {
		return js
	}
	return nil
}

// decide takes the throttle into d, then the quota into q if the
// throttle admitted the request; with a jointStore, both in one store
// call. It answers a store failure itself (unless FailOpen) and then
// reports false.
func (g *Gate) decide(w http.ResponseWriter, r *http.Request, id *auth.Identity, p *compiledPlan, rt *planRuntime, d *ratelimit.Decision, q *quota.Result) bool {
	start := g.clockForMetrics()
	var err error
	joint := false
	if g.joint != nil && p.Quota.Limit > 0 && g.cost(r) > 0 {
		*d, *q, joint, err = g.decideJoint(r, id, p, rt)
	} else {
		*d, err = rt.limiter.Check(r)
	}
	op := "ratelimit.take"
	if joint {
		op = "ratelimit+quota.take"
	}
	g.storeCall(r, op, start, err)
	if err != nil {
		if !g.failOpen(w, r, err) {
			return false
		}
		*d, *q = ratelimit.Decision{}, quota.Result{} // let through: nothing was decided or counted
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
func (g *Gate) decideJoint(r *http.Request, id *auth.Identity, p *compiledPlan, rt *planRuntime) (d ratelimit.Decision, q quota.Result, joint bool, err error) {
	key, cost := g.cfg.Key(id), g.cost(r)
	d, err = rt.limiter.CheckWith(r, func(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
		joint = true
		var rl ratelimit.Result
		var qerr error
		q, qerr = g.quota.TakeWith(ctx, key, p.Quota, cost, func(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
			var u quota.Usage
			var err error
			rl, u, err = g.joint.TakeBoth(ctx, req, b, cost, p.Quota.Limit)
			return u, err
		})
		if qerr != nil {
			return ratelimit.Result{}, qerr
		}
		return rl, nil
	})
	if err != nil || !d.Result.Allowed {
		q = quota.Result{}
	}
	return d, q, joint, err
}
