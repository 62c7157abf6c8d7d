package quota

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/httpwrap"
	"github.com/tollgate/tollgate/internal/problem"
	"github.com/tollgate/tollgate/internal/rlheader"
)

// Middleware returns next behind a quota: it counts each request against the
// caller's quota (see [WithQuota], [WithQuotaFunc], [WithKeyFunc]) and
// refuses it with 429 and Retry-After, until the period resets, once the
// quota is spent. Counted responses carry the quota as its own policy in
// the RateLimit-Policy and RateLimit fields. A store failure refuses the
// request with 503 unless [WithFailOpen] is set.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := l.admit(w, r)
		switch {
		case !ok:
			return
		case res.Cost > 0 && l.cfg.refund5xx:
			l.serveRefunding(next, w, r, res)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// admit decides a request: it returns false after writing a refusal, and
// the quota result (zero if the request is not counted) otherwise.
func (l *Limiter) admit(w http.ResponseWriter, r *http.Request) (Result, bool) {
	c := &l.cfg
	if c.skip != nil && c.skip(r) || c.quotaFor == nil {
		return Result{}, true
	}
	key, ok := c.keyFor(r)
	if !ok {
		return Result{}, true
	}
	q, ok := c.quotaFor(r)
	if !ok {
		return Result{}, true
	}
	cost := int64(1)
	if c.costFor != nil {
		cost = c.costFor(r)
	}
	now := c.now()
	res, err := l.take(r.Context(), key, q, cost, now, nil)
	if err != nil {
		if c.failOpen && !errors.Is(err, ErrInvalidQuota) {
			return Result{}, true
		}
		c.onError(w, r, err)
		return Result{}, false
	}
	if !c.noHeaders {
		res.SetHeaders(w.Header(), now)
	}
	if !res.Allowed {
		c.onError(w, r, &ExceededError{Result: res, RetryAfter: res.RetryAfter(now)})
		return Result{}, false
	}
	return res, true
}

// serveRefunding serves the request and refunds its charge if the
// response is a server error. The refund outlives a cancelled request.
func (l *Limiter) serveRefunding(next http.Handler, w http.ResponseWriter, r *http.Request, res Result) {
	ww := httpwrap.Get(w)
	defer httpwrap.Put(ww)
	next.ServeHTTP(ww, r)
	if ww.Status() >= 500 {
		_ = l.Refund(context.WithoutCancel(r.Context()), res)
	}
}

// The field names as net/http stores them, so that SetHeaders can index the
// map directly instead of canonicalising (and allocating) on every call.
var (
	policyKey = http.CanonicalHeaderKey(rlheader.PolicyField)
	stateKey  = http.CanonicalHeaderKey(rlheader.StateField)
)

// SetHeaders adds r as its own policy to the RateLimit-Policy and
// RateLimit fields of h (keeping policies already there), as of now: the
// window is the current period's length and t the seconds until it
// resets. A [Forever] quota has neither, so both are left out.
func (r Result) SetHeaders(h http.Header, now time.Time) {
	var buf [128]byte
	p := rlheader.Policy{Name: r.Quota, Quota: r.Limit}
	if !r.Reset.IsZero() {
		p.Window = rlheader.Seconds(int64(r.Reset.Sub(r.Start)))
	}
	b := rlheader.AppendPolicy(buf[:0], p)
	n := len(b)
	if r.Reset.IsZero() {
		b = append(rlheader.AppendName(b, r.Quota), ";r="...)
		b = strconv.AppendInt(b, r.Remaining, 10)
	} else {
		b = rlheader.AppendState(b, r.Quota, r.Remaining, rlheader.Seconds(int64(r.RetryAfter(now))))
	}
	both := string(b) // one allocation for both values
	policy, state := both[:n], both[n:]
	if len(h[policyKey]) > 0 || len(h[stateKey]) > 0 {
		h[policyKey] = append(h[policyKey], policy)
		h[stateKey] = append(h[stateKey], state)
		return
	}
	vals := []string{policy, state} // and one for both slices; capped so appends copy
	h[policyKey], h[stateKey] = vals[0:1:1], vals[1:2:2]
}

// WriteError writes err as an RFC 9457 problem response with the status
// from [HTTPStatus]: code "quota_exceeded" with Retry-After for an
// [*ExceededError] (no Retry-After when the quota never resets),
// "quota_invalid" for a misconfigured quota, "quota_unavailable" when the
// store failed. The text of internal errors never reaches the client.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	status := HTTPStatus(err)
	p := problem.New(status, "quota_unavailable", "")
	switch e, ok := errors.AsType[*ExceededError](err); {
	case ok:
		p.Code, p.Detail = "quota_exceeded", exceededDetail(e)
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(rlheader.Seconds(int64(e.RetryAfter)), 10))
		}
	case status == http.StatusInternalServerError:
		p.Code = "quota_invalid"
	}
	problem.Write(w, p)
}

func exceededDetail(e *ExceededError) string {
	if e.Result.Reset.IsZero() {
		return "The " + e.Result.Quota + " balance is spent."
	}
	return "The " + e.Result.Quota + " quota is spent until " + e.Result.Reset.UTC().Format(time.RFC3339) + "."
}
