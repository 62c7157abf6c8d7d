package tollgate

import (
	"net/http"
	"strconv"

	"github.com/tollgate/tollgate/internal/rlheader"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// Canonical header keys, so fields are set by map assignment.
const (
	hdrPolicy     = "Ratelimit-Policy"
	hdrState      = "Ratelimit"
	hdrRetryAfter = "Retry-After"
)

// policyField is a cached RateLimit-Policy value: the same for every
// request of a plan until the quota's window length changes (months
// differ), so it is formatted once per plan and window, not per request.
type policyField struct {
	throttle *ratelimit.Policy
	quota    rlheader.Policy
	value    []string
}

// policyValue returns the RateLimit-Policy value for d and q, from the
// cache when it still matches.
func (rt *planRuntime) policyValue(d *ratelimit.Decision, q *quota.Result) []string {
	var throttle *ratelimit.Policy
	if d.Counted {
		throttle = d.Policy
	}
	var qp rlheader.Policy
	if q.Quota != "" {
		qp = quotaPolicy(q)
	}
	if f := rt.policy.Load(); f != nil && f.throttle == throttle && f.quota == qp {
		return f.value
	}
	var b []byte
	if throttle != nil {
		b = append(b, throttle.HeaderValue()...)
	}
	if qp.Name != "" {
		b = appendSep(b, throttle != nil)
		b = rlheader.AppendPolicy(b, qp)
	}
	f := &policyField{throttle: throttle, quota: qp, value: []string{string(b)}}
	rt.policy.Store(f)
	return f.value
}

// setLimitHeaders writes RateLimit-Policy and RateLimit with the throttle
// policy (if counted) and the quota (if any) as two policies, and
// Retry-After for a throttle refusal. The RateLimit value is built on the
// stack and set in one small allocation.
func setLimitHeaders(h http.Header, rt *planRuntime, d *ratelimit.Decision, q *quota.Result) {
	hasQuota := q.Quota != ""
	if !d.Counted && !hasQuota {
		return
	}
	h[hdrPolicy] = rt.policyValue(d, q)
	var buf [128]byte
	b := buf[:0]
	if d.Counted {
		b = rlheader.AppendState(b, d.Result.Limit.Name, d.Result.Remaining, rlheader.Seconds(int64(d.Result.Reset)))
	}
	if hasQuota {
		b = appendSep(b, d.Counted)
		b = appendQuotaState(b, q)
	}
	rlheader.SetField(h, hdrState, b)
	if d.Counted && !d.Result.Allowed { // a refusal: not the fast path
		h[hdrRetryAfter] = []string{strconv.FormatInt(rlheader.Seconds(int64(d.Result.RetryAfter)), 10)}
	}
}

func appendSep(b []byte, need bool) []byte {
	if need {
		return append(b, ", "...)
	}
	return b
}

func quotaPolicy(q *quota.Result) rlheader.Policy {
	p := rlheader.Policy{Name: q.Quota, Quota: q.Limit}
	if !q.Reset.IsZero() {
		p.Window = rlheader.Seconds(int64(q.Reset.Sub(q.Start)))
	}
	return p
}

// appendQuotaState writes the quota's RateLimit item; a quota that never
// resets (a credit balance) has no t parameter.
func appendQuotaState(b []byte, q *quota.Result) []byte {
	if q.Reset.IsZero() {
		b = append(rlheader.AppendName(b, q.Quota), ";r="...)
		return strconv.AppendInt(b, q.Remaining, 10)
	}
	return rlheader.AppendState(b, q.Quota, q.Remaining, rlheader.Seconds(int64(q.Reset.Sub(q.At))))
}
