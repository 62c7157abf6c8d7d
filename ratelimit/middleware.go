package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"unsafe"

	"github.com/tollgate/tollgate/internal/problem"
	"github.com/tollgate/tollgate/internal/rlheader"
)

// Canonical header keys, so that headers are set by map assignment.
const (
	hdrPolicy          = "Ratelimit-Policy"
	hdrState           = "Ratelimit"
	hdrRetryAfter      = "Retry-After"
	hdrLegacyLimit     = "X-Ratelimit-Limit"
	hdrLegacyRemaining = "X-Ratelimit-Remaining"
	hdrLegacyReset     = "X-Ratelimit-Reset"
)

// Middleware throttles each request by its key (see [WithKey]) with the
// policy chosen for it: [WithPolicyFunc], else a [WithRoute] override,
// else the limiter's limits. Every counted response carries the
// RateLimit-Policy and RateLimit fields of the IETF draft (the RateLimit
// field reports the limit with the fewest units left); a refusal is a 429
// problem response with Retry-After, the whole seconds until the request
// would pass. The ResponseWriter is passed on as it is, so streaming and
// WebSocket upgrades work behind it.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := l.Check(r)
		if !d.Counted || !l.refused(w, r, d.Policy, d.Result, err) {
			next.ServeHTTP(w, r)
		}
	})
}

// Decision is what [Limiter.Check] decided about a request.
type Decision struct {
	// Counted is false for a request that was skipped, has no key or no
	// policy; it is not throttled and gets no rate limit fields.
	Counted bool
	// Policy is the policy the request was counted against; its
	// HeaderValue is the RateLimit-Policy field.
	Policy *Policy
	// Result is the outcome; see [Limiter.TakePolicy].
	Result Result
}

// Check does what [Limiter.Middleware] does to a request (skip, key,
// policy, cost, take) but writes nothing, for a caller that builds its own
// response: one that merges these fields with a quota's, say. The error is
// that of [Limiter.TakePolicy].
func (l *Limiter) Check(r *http.Request) (Decision, error) { return l.CheckWith(r, nil) }

// CheckWith is [Limiter.Check] with the store's Take replaced by take,
// for a caller that decides the request's limits together with something
// else in one store call (tollgate's Gate takes the caller's quota with
// them). take gets the [TakeRequest] the limiter would give its store and
// answers as [Store.Take] would. It is not called when Check would not
// reach the store, nor for a policy with Global limits, which needs more
// than one store call: the limiter's store decides those. A nil take is
// the store's.
func (l *Limiter) CheckWith(r *http.Request, take func(context.Context, TakeRequest) (Result, error)) (Decision, error) {
	if l.c.skip != nil && l.c.skip(r) {
		return Decision{}, nil
	}
	key, ok := l.c.key(r)
	if !ok {
		return Decision{}, nil
	}
	d := Decision{Counted: true, Policy: l.policyFor(r)}
	if d.Policy == nil {
		return Decision{}, nil
	}
	cost := int64(1)
	if l.c.cost != nil {
		cost = max(l.c.cost(r), 0)
	}
	var err error
	d.Result, err = l.takePolicy(r.Context(), d.Policy, key, cost, take)
	return d, err
}

// refused writes the headers and, unless the request may go on, the
// refusal; it reports whether it refused.
func (l *Limiter) refused(w http.ResponseWriter, r *http.Request, p *Policy, res Result, err error) bool {
	switch {
	case errors.Is(err, ErrCostTooHigh):
		if l.c.shadow { // dry runs never refuse
			return false
		}
		l.c.onError(w, r, err)
		return true
	case err != nil:
		if l.c.fail(r, err) {
			return false
		}
		l.c.onError(w, r, err)
		return true
	}
	l.setHeaders(w.Header(), p, res)
	if res.Allowed {
		return false
	}
	if l.c.shadow {
		if l.c.report != nil {
			l.c.report(r, res)
		}
		return false
	}
	l.c.onError(w, r, &LimitError{Result: res})
	return true
}

func (l *Limiter) policyFor(r *http.Request) *Policy {
	if l.c.policyFunc != nil {
		if p := l.c.policyFunc(r); p != nil {
			return p
		}
	}
	if p := l.c.routes.lookup(r); p != nil {
		return p
	}
	return l.policy
}

// stateValue holds the RateLimit field value of an admitted request, the
// usual case, in an allocation a third the size of rlheader.Values.
type stateValue struct {
	val [1]string
	buf [40]byte
}

// setHeaders sets the rate limit fields for res, and Retry-After when it
// is a refusal, with one allocation.
func (l *Limiter) setHeaders(h http.Header, p *Policy, res Result) {
	reset := rlheader.Seconds(int64(res.Reset))
	if res.Allowed && l.c.headers && !l.c.legacy && len(res.Limit.Name) <= 16 {
		sv := new(stateValue)
		b := rlheader.AppendState(sv.buf[:0], res.Limit.Name, res.Remaining, reset)
		sv.val[0] = unsafe.String(unsafe.SliceData(b), len(b))
		h[hdrPolicy] = p.header[:1:1]
		h[hdrState] = sv.val[:1:1]
		return
	}
	hv := rlheader.NewValues()
	if !res.Allowed && !l.c.shadow {
		hv.B = strconv.AppendInt(hv.B, rlheader.Seconds(int64(res.RetryAfter)), 10)
		hv.Set(h, hdrRetryAfter, 0)
	}
	if !l.c.headers {
		return
	}
	h[hdrPolicy] = p.header[:1:1]
	start := len(hv.B)
	hv.B = rlheader.AppendState(hv.B, res.Limit.Name, res.Remaining, reset)
	hv.Set(h, hdrState, start)
	if !l.c.legacy {
		return
	}
	for i, v := range [3]int64{res.Limit.capacity(), res.Remaining, reset} {
		start = len(hv.B)
		hv.B = strconv.AppendInt(hv.B, v, 10)
		hv.Set(h, legacyFields[i], start)
	}
}

var legacyFields = [3]string{hdrLegacyLimit, hdrLegacyRemaining, hdrLegacyReset}

// WriteError is the default [ErrorHandler]: a [*LimitError] or
// [ErrCostTooHigh] becomes a 429 problem with code "rate_limited" (the
// rate limit fields and Retry-After are already set), anything else a
// 503 problem with code "rate_limit_unavailable". No error text reaches
// the client.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	switch {
	case errors.Is(err, ErrLimited):
		problem.Write(w, problem.New(http.StatusTooManyRequests, "rate_limited", "Too many requests; retry after the time in Retry-After."))
	case errors.Is(err, ErrCostTooHigh):
		problem.Write(w, problem.New(http.StatusTooManyRequests, "rate_limited", "The request costs more than the rate limit ever allows."))
	default:
		problem.Write(w, problem.New(http.StatusServiceUnavailable, "rate_limit_unavailable", "Rate limiting is unavailable; try again later."))
	}
}
