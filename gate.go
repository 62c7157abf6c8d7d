package tollgate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/httpwrap"
	"github.com/tollgate/tollgate/internal/problem"
	"github.com/tollgate/tollgate/metrics"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/usage"
)

// Errors for requests a usage plan refuses; both answer 403.
var (
	// ErrNoPlan: the caller names no plan (or an unknown one) and there
	// is no default plan.
	ErrNoPlan = errors.New("tollgate: no usage plan")
	// ErrRouteNotInPlan: the caller's plan does not include the route.
	ErrRouteNotInPlan = errors.New("tollgate: route not in usage plan")
)

// Config says what a [Gate] does. Only Plans is required; every other
// field has a working default.
type Config struct {
	// Authenticators prove who is calling, tried in order as by
	// [auth.AnyOf]. None: requests are not authenticated here, and only
	// those that already carry an identity (from an outer middleware) are
	// throttled and counted.
	Authenticators []auth.Authenticator
	// AuthOptions tune authentication, e.g. [auth.WithAPIGatewayErrors]
	// or [auth.WithSkip] for public routes.
	AuthOptions []auth.Option
	// Plans resolves each identity's usage plan.
	Plans *Plans
	// DefaultPlan is the plan for identities that name none or an unknown
	// one. Empty: such identities are refused with 403.
	DefaultPlan string
	// RateLimitStore keeps throttle counters. Wrapped in a
	// [ratelimit.FallbackStore], a local store keeps throttling while the
	// shared one fails, on either path the Gate takes (see [Gate]).
	// Default: a memory store.
	RateLimitStore ratelimit.Store
	// QuotaStore keeps quota counters. Default: a memory store.
	QuotaStore quota.Store
	// Key names a caller's counters. Default: the identity's ID.
	Key func(*auth.Identity) string
	// Cost is what a request costs against throttle and quota. Default: 1.
	Cost func(*http.Request) int64
	// RefundServerErrors gives back the quota of requests answered with a
	// status of 500 or more. Default: every admitted request counts.
	RefundServerErrors bool
	// FailOpen lets requests through when a store fails. Default: they
	// get 503.
	FailOpen bool
	// Routes is the application's mux. When set, the route pattern is
	// resolved before the handler runs, so per-route throttles and plan
	// routes with wildcards match. Default: routes match on method and
	// literal path.
	Routes *http.ServeMux
	// Usage meters every admitted request (after throttle and quota) for
	// usage reports. The caller owns it and closes it on shutdown, after
	// the server has stopped, so nothing counted is lost. Default: none.
	Usage *usage.Meter
	// Metrics records OpenTelemetry metrics and the access log for every
	// request, refused ones included, with each stage's decision.
	// Default: none.
	Metrics *metrics.Recorder
	// ErrorHandler writes refusals after authentication. Default: [WriteError].
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Clock is the time source. Default: [time.Now].
	Clock func() time.Time
}

// Gate is API management for an HTTP handler: it authenticates each
// request, checks the caller's usage plan, throttles and counts quota,
// in that order. It is safe for concurrent use.
//
// Order of stages and what each decides:
//  1. Authentication: no or bad credentials → 401 (403 for a disabled
//     key or forbidden caller); a failing identity store → 503.
//  2. Plan: the identity's plan or the default; none → 403 "no_plan";
//     a route outside the plan → 403 "route_not_in_plan".
//  3. Throttle: the plan's limits (or the route's override) by key; over
//     the limit → 429 with Retry-After.
//  4. Quota: the plan's quota by key, counted only when the throttle
//     admitted the request; spent → 429 with Retry-After until the period
//     resets. When RateLimitStore can also decide QuotaStore's counters
//     (store/redisstore's stores of one Store), throttle and quota are
//     decided in one store call, all or nothing: a request refused by the
//     quota spends no throttle either. So they are when RateLimitStore is
//     a [ratelimit.FallbackStore] around such a store; while that call
//     fails, the throttle is taken from the FallbackStore's local store
//     and the quota follows FailOpen.
//
// Admitted responses carry RateLimit-Policy and RateLimit fields naming
// both the throttle and the quota policies.
type Gate struct {
	cfg      Config
	quota    *quota.Limiter
	joint    jointStore    // nil unless RateLimitStore decides QuotaStore's quotas too
	fallback fallbackStore // RateLimitStore when it is a FallbackStore around joint
	runtimes sync.Map      // *compiledPlan → *planRuntime
	auth     func(http.Handler) http.Handler
}

// New returns a Gate for cfg.
func New(cfg Config) (*Gate, error) {
	if cfg.Plans == nil {
		return nil, errors.New("tollgate: Config.Plans is required")
	}
	if cfg.RateLimitStore == nil {
		cfg.RateLimitStore = ratelimit.NewMemoryStore(0)
	}
	if cfg.QuotaStore == nil {
		cfg.QuotaStore = quota.NewMemoryStore()
	}
	if cfg.Key == nil {
		cfg.Key = func(id *auth.Identity) string { return id.ID }
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = WriteError
	}
	g := &Gate{cfg: cfg}
	g.joint, g.fallback = jointStoreFor(cfg)
	var qopts []quota.Option
	if cfg.Clock != nil { // else each limiter keeps its own, cheaper default clock
		qopts = append(qopts, quota.WithClock(cfg.Clock))
	}
	q, err := quota.New(cfg.QuotaStore, qopts...)
	if err != nil {
		return nil, err
	}
	g.quota = q
	if len(cfg.Authenticators) > 0 {
		g.auth = auth.NewMiddleware(auth.AnyOf(cfg.Authenticators...), cfg.AuthOptions...)
	}
	return g, nil
}

// Middleware returns next behind the gate: metrics and the access log
// outermost, then authentication, plan, throttle and quota, then usage
// metering around next.
func (g *Gate) Middleware(next http.Handler) http.Handler {
	if g.cfg.Usage != nil {
		next = g.cfg.Usage.Middleware(next)
	}
	h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { g.serve(w, r, next) }))
	if g.auth != nil {
		h = g.auth(h)
	}
	if rec := g.cfg.Metrics; rec != nil {
		h = rec.Middleware(countAuthFailures(rec, h))
	}
	return h
}

// countAuthFailures reports the refusals the authentication middleware
// noted, as it cannot reach the Recorder itself.
func countAuthFailures(rec *metrics.Recorder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		n := auth.NoteFromContext(r.Context())
		if n != nil && n.Identity == nil && (n.Decision == auth.DecisionUnauthenticated || n.Decision == auth.DecisionForbidden) {
			rec.AuthFailure(r.Context(), "", n.Reason)
		}
	})
}

// planRuntime is what a Gate keeps per plan version: its throttle limiter.
type planRuntime struct {
	limiter *ratelimit.Limiter
	policy  atomic.Pointer[policyField] // the last RateLimit-Policy value
}

// runtime returns g's runtime for plan version p, creating it on first
// use. The first Gate to use p finds it on p itself, the others in their
// runtimes map; a plan is rarely shared by several Gates.
func (g *Gate) runtime(p *compiledPlan) (*planRuntime, error) {
	if f := p.first.Load(); f != nil && f.gate == g {
		return f.rt, nil
	}
	if rt, ok := g.runtimes.Load(p); ok {
		return rt.(*planRuntime), nil
	}
	opts := []ratelimit.Option{ratelimit.WithKey(g.rateKey)}
	if g.cfg.Clock != nil {
		opts = append(opts, ratelimit.WithClock(g.cfg.Clock))
	}
	if g.cfg.Cost != nil {
		opts = append(opts, ratelimit.WithCost(g.cfg.Cost))
	}
	for pattern, limits := range p.RouteThrottles {
		opts = append(opts, ratelimit.WithRoute(pattern, limits...))
	}
	l, err := ratelimit.New(g.cfg.RateLimitStore, p.Throttle, opts...)
	if err != nil {
		return nil, fmt.Errorf("tollgate: plan %q: %w", p.Name, err)
	}
	v, _ := g.runtimes.LoadOrStore(p, &planRuntime{limiter: l})
	rt := v.(*planRuntime)
	p.first.CompareAndSwap(nil, &gateRuntime{gate: g, rt: rt})
	return rt, nil
}

func (g *Gate) rateKey(r *http.Request) (string, bool) {
	id, ok := auth.FromContext(r.Context())
	if !ok {
		return "", false
	}
	return g.cfg.Key(id), true
}

func (g *Gate) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	id, ok := auth.FromContext(r.Context())
	if !ok { // anonymous: nothing to throttle or count by
		next.ServeHTTP(w, r)
		return
	}
	plan, err := g.plan(id, r)
	if err != nil {
		g.refuse(w, r, auth.DecisionForbidden, err)
		return
	}
	if g.cfg.Routes != nil && r.Pattern == "" {
		_, r.Pattern = g.cfg.Routes.Handler(r)
	}
	var res quota.Result
	if !g.admit(w, r, id, plan, &res) {
		return
	}
	if !g.cfg.RefundServerErrors || res.Cost == 0 {
		next.ServeHTTP(w, r)
		return
	}
	ww := httpwrap.Get(w)
	defer httpwrap.Put(ww)
	next.ServeHTTP(ww, r)
	if ww.Status() >= http.StatusInternalServerError {
		_ = g.quota.Refund(context.WithoutCancel(r.Context()), res)
	}
}

func (g *Gate) plan(id *auth.Identity, r *http.Request) (*compiledPlan, error) {
	p, ok := g.cfg.Plans.lookup(id.Plan)
	if !ok && g.cfg.DefaultPlan != "" {
		p, ok = g.cfg.Plans.lookup(g.cfg.DefaultPlan)
	}
	switch {
	case !ok:
		return nil, ErrNoPlan
	case !p.allows(r):
		return nil, ErrRouteNotInPlan
	}
	return p, nil
}

// admit runs throttle then quota, writes the rate limit fields, and
// answers a refusal itself; it reports whether the request may go on, and
// leaves the quota's result in q. The results are passed by pointer: they
// are large (a quota.Result is 184 bytes) and this is every request's path.
func (g *Gate) admit(w http.ResponseWriter, r *http.Request, id *auth.Identity, p *compiledPlan, q *quota.Result) bool {
	rt, err := g.runtime(p)
	if err != nil {
		g.cfg.ErrorHandler(w, r, err)
		return false
	}
	var d ratelimit.Decision
	if !g.decide(w, r, id, p, rt, &d, q) {
		return false
	}
	setLimitHeaders(w.Header(), rt, &d, q)
	switch {
	case d.Counted && !d.Result.Allowed:
		g.cfg.Metrics.Throttled(r.Context(), id)
		g.refuse(w, r, auth.DecisionThrottled, &ratelimit.LimitError{Result: d.Result})
		return false
	case q.Quota != "" && !q.Allowed:
		g.cfg.Metrics.QuotaExceeded(r.Context(), id)
		g.refuse(w, r, auth.DecisionQuota, &quota.ExceededError{Result: *q, RetryAfter: q.RetryAfter(q.At)})
		return false
	}
	return true
}

func (g *Gate) failOpen(w http.ResponseWriter, r *http.Request, err error) bool {
	if g.cfg.FailOpen && !errors.Is(err, r.Context().Err()) {
		return true
	}
	g.refuse(w, r, auth.DecisionUnavailable, err)
	return false
}

// refuse notes the decision for the access log and metrics, then answers.
func (g *Gate) refuse(w http.ResponseWriter, r *http.Request, d auth.Decision, err error) {
	auth.NoteFromContext(r.Context()).Decide(d, errorCode(err))
	g.cfg.ErrorHandler(w, r, err)
}

// clockForMetrics reads the clock only when store calls are measured:
// on some machines a clock read costs as much as a memory-store take.
func (g *Gate) clockForMetrics() time.Time {
	if g.cfg.Metrics == nil {
		return time.Time{}
	}
	return time.Now()
}

// storeCall reports a store's latency and outcome when metrics are on;
// the clock is read only then.
func (g *Gate) storeCall(r *http.Request, op string, start time.Time, err error) {
	if g.cfg.Metrics != nil {
		g.cfg.Metrics.StoreCall(r.Context(), op, time.Since(start), err)
	}
}

func (g *Gate) cost(r *http.Request) int64 {
	if g.cfg.Cost == nil {
		return 1
	}
	return max(g.cfg.Cost(r), 0)
}

// WriteError is the default error handler of a [Gate]: each stage's
// refusal as that stage writes it (a 429 for throttle and quota, with
// Retry-After), 403 problems for plan refusals, 503 for anything else.
// No internal error text reaches the client.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNoPlan):
		problem.Write(w, problem.New(http.StatusForbidden, "no_plan", "The caller is not subscribed to a usage plan."))
	case errors.Is(err, ErrRouteNotInPlan):
		problem.Write(w, problem.New(http.StatusForbidden, "route_not_in_plan", "The caller's usage plan does not include this route."))
	case errors.Is(err, ratelimit.ErrLimited), errors.Is(err, ratelimit.ErrCostTooHigh):
		ratelimit.WriteError(w, r, err)
	case quota.HTTPStatus(err) != http.StatusServiceUnavailable:
		quota.WriteError(w, r, err)
	default:
		problem.Write(w, problem.New(http.StatusServiceUnavailable, "unavailable", "The service cannot decide on this request now; try again later."))
	}
}

// errorCode is the reason recorded for a refusal: the problem code that
// [WriteError] sends for err.
func errorCode(err error) string {
	switch {
	case errors.Is(err, ErrNoPlan):
		return "no_plan"
	case errors.Is(err, ErrRouteNotInPlan):
		return "route_not_in_plan"
	case errors.Is(err, ratelimit.ErrLimited), errors.Is(err, ratelimit.ErrCostTooHigh):
		return "rate_limited"
	case errors.Is(err, quota.ErrQuotaExceeded):
		return "quota_exceeded"
	}
	return "unavailable"
}
