package ratelimit

import (
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
		if l.c.skip != nil && l.c.skip(r) {
			next.ServeHTTP(w, r)
			return
		}
		key, ok := l.c.key(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		p := l.policyFor(r)
		cost := int64(1)
		if l.c.cost != nil {
			cost = max(l.c.cost(r), 0)
		}
		res, err := l.TakePolicy(r.Context(), p, key, cost)
		if l.refused(w, r, p, res, err) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refused writes the headers and, unless the request may go on, the
// refusal; it reports whether it refused.
func (l *Limiter) refused(w http.ResponseWriter, r *http.Request, p *Policy, res Result, err error) bool {
	switch {
	case errors.Is(err, ErrCostTooHigh):
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

// headerValues holds every per-response header value in one allocation:
// the strings point into buf, which is never written again.
type headerValues struct {
	vals [5]string
	buf  [128]byte
}

// setHeaders sets the rate limit fields for res, and Retry-After when it
// is a refusal, with one allocation.
func (l *Limiter) setHeaders(h http.Header, p *Policy, res Result) {
	hv := new(headerValues)
	b := hv.buf[:0]
	n := 0
	add := func(key string, appendValue func([]byte) []byte) {
		start := len(b)
		b = appendValue(b)
		hv.vals[n] = unsafe.String(&b[start], len(b)-start)
		h[key] = hv.vals[n : n+1 : n+1]
		n++
	}
	if !res.Allowed && (!l.c.shadow) {
		add(hdrRetryAfter, appendSeconds(int64(res.RetryAfter)))
	}
	if !l.c.headers {
		return
	}
	h[hdrPolicy] = p.header
	reset := int64(res.Reset)
	add(hdrState, func(b []byte) []byte {
		return rlheader.AppendState(b, res.Limit.Name, res.Remaining, rlheader.Seconds(reset))
	})
	if l.c.legacy {
		add(hdrLegacyLimit, func(b []byte) []byte { return strconv.AppendInt(b, res.Limit.capacity(), 10) })
		add(hdrLegacyRemaining, func(b []byte) []byte { return strconv.AppendInt(b, res.Remaining, 10) })
		add(hdrLegacyReset, appendSeconds(reset))
	}
}

func appendSeconds(ns int64) func([]byte) []byte {
	return func(b []byte) []byte { return strconv.AppendInt(b, rlheader.Seconds(ns), 10) }
}

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
