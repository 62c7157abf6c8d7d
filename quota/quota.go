package quota

import (
	"fmt"
	"time"
)

// DefaultName is the name of a [Quota] whose Name is empty.
const DefaultName = "quota"

// Quota is a limit on usage per period, as in an API Gateway usage plan's
// QuotaSettings. It is a plain value; the [Limiter] counts against it.
type Quota struct {
	// Name identifies the quota in stores and in the RateLimit-Policy
	// header. Default: [DefaultName].
	Name string
	// Limit is the usage allowed per period. For a [Forever] period it is
	// the balance each key starts with.
	Limit int64
	// Period is when usage starts afresh: [Day], [Week], [Month], [Every]
	// or [Forever].
	Period Period
	// Offset is usage already counted at the start of the initial period,
	// the one that contains Start (API Gateway's "number of requests
	// subtracted from the given limit in the initial time period").
	// Offset needs Start, except with Forever, which has one period.
	Offset int64
	// Start is when the quota took effect. It marks the initial period for
	// Offset and aligns [Every] periods; zero aligns them to the Unix epoch.
	Start time.Time
}

// Validate reports a malformed quota, wrapping [ErrInvalidQuota].
func (q Quota) Validate() error {
	if err := q.Period.validate(); err != nil {
		return err
	}
	switch {
	case q.Limit < 0:
		return fmt.Errorf("%w: negative limit %d", ErrInvalidQuota, q.Limit)
	case q.Offset < 0:
		return fmt.Errorf("%w: negative offset %d", ErrInvalidQuota, q.Offset)
	case q.Offset > 0 && q.Start.IsZero() && q.Period.kind != kindForever:
		return fmt.Errorf("%w: offset without a start time", ErrInvalidQuota)
	}
	return nil
}

// Window returns the period [start, end) that contains t. Both are zero
// for a [Forever] period.
func (q Quota) Window(t time.Time) (start, end time.Time) {
	return q.Period.window(t, q.Start)
}

func (q Quota) name() string {
	if q.Name == "" {
		return DefaultName
	}
	return q.Name
}

// bucket returns the counter for key in the period [start, end).
func (q Quota) bucket(key string, start, end time.Time) Bucket {
	b := Bucket{Quota: q.name(), Key: key}
	if !end.IsZero() {
		b.Start, b.End = start.Unix(), end.Unix()
	}
	if q.Offset > 0 && (end.IsZero() || !q.Start.Before(start) && q.Start.Before(end)) {
		b.Initial = q.Offset
	}
	return b
}

// Result is the state of a key's quota after an operation.
type Result struct {
	// Allowed reports, from Take, whether the request was admitted and
	// counted; from the other operations, whether any quota remains.
	Allowed bool
	// Quota is the quota's name.
	Quota string
	// Limit is the quota's limit.
	Limit int64
	// Used is the usage counted in the current period, Offset included.
	Used int64
	// Remaining is Limit - Used, never below 0 (it exceeds Limit after a
	// grant).
	Remaining int64
	// Cost is what the request was charged: 0 when refused.
	Cost int64
	// Start and Reset bound the current period; Reset is when the quota
	// starts afresh. Both are zero for a [Forever] period.
	Start, Reset time.Time
	// At is the instant the result describes: the Limiter's clock reading
	// for Take, Usage and the other operations, the time asked for UsageAt.
	// RetryAfter(r.At) is the wait as of the decision.
	At time.Time

	bucket Bucket
}

func newResult(q Quota, b Bucket, start, end, at time.Time, u Usage) Result {
	return Result{
		At:        at,
		Quota:     b.Quota,
		Limit:     q.Limit,
		Used:      u.Used,
		Remaining: max(q.Limit-u.Used, 0),
		Start:     start,
		Reset:     end,
		bucket:    b,
	}
}

// RetryAfter returns how long after now the quota resets: 0 if it already
// has, and also 0 for a [Forever] period, which never resets.
func (r Result) RetryAfter(now time.Time) time.Duration {
	if r.Reset.IsZero() {
		return 0
	}
	return max(r.Reset.Sub(now), 0)
}
