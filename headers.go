package tollgate

import (
	"net/http"
	"strconv"
	"time"

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

// limitFields holds a response's rate limit field values in one
// allocation: the strings all point into one converted buffer.
type limitFields struct {
	vals [3]string
}

// setLimitHeaders writes RateLimit-Policy and RateLimit with the throttle
// policy (if counted) and the quota (if any) as two policies, and
// Retry-After for a throttle refusal. It costs two allocations.
func setLimitHeaders(h http.Header, d ratelimit.Decision, q quota.Result, now time.Time) {
	hasQuota := q.Quota != ""
	if !d.Counted && !hasQuota {
		return
	}
	var buf [256]byte
	b := buf[:0]
	if d.Counted {
		b = append(b, d.Policy.HeaderValue()...)
	}
	if hasQuota {
		b = appendSep(b, d.Counted)
		b = rlheader.AppendPolicy(b, quotaPolicy(q))
	}
	policyEnd := len(b)
	if d.Counted {
		b = rlheader.AppendState(b, d.Result.Limit.Name, d.Result.Remaining, rlheader.Seconds(int64(d.Result.Reset)))
	}
	if hasQuota {
		b = appendSep(b, d.Counted)
		b = appendQuotaState(b, q, now)
	}
	stateEnd := len(b)
	throttled := d.Counted && !d.Result.Allowed
	if throttled {
		b = strconv.AppendInt(b, rlheader.Seconds(int64(d.Result.RetryAfter)), 10)
	}
	s := string(b)
	f := &limitFields{vals: [3]string{s[:policyEnd], s[policyEnd:stateEnd], s[stateEnd:]}}
	h[hdrPolicy] = f.vals[0:1:1]
	h[hdrState] = f.vals[1:2:2]
	if throttled {
		h[hdrRetryAfter] = f.vals[2:3:3]
	}
}

func appendSep(b []byte, need bool) []byte {
	if need {
		return append(b, ", "...)
	}
	return b
}

func quotaPolicy(q quota.Result) rlheader.Policy {
	p := rlheader.Policy{Name: q.Quota, Quota: q.Limit}
	if !q.Reset.IsZero() {
		p.Window = rlheader.Seconds(int64(q.Reset.Sub(q.Start)))
	}
	return p
}

// appendQuotaState writes the quota's RateLimit item; a quota that never
// resets (a credit balance) has no t parameter.
func appendQuotaState(b []byte, q quota.Result, now time.Time) []byte {
	if q.Reset.IsZero() {
		b = append(rlheader.AppendName(b, q.Quota), ";r="...)
		return strconv.AppendInt(b, q.Remaining, 10)
	}
	return rlheader.AppendState(b, q.Quota, q.Remaining, rlheader.Seconds(int64(q.Reset.Sub(now))))
}
