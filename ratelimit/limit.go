package ratelimit

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/rlheader"
)

// Algorithm selects how a [Limit] counts.
type Algorithm uint8

// The algorithms a [Limit] can use.
const (
	// GCRA is the generic cell rate algorithm: a token bucket (Quota per
	// Period refilled continuously, Burst deep) kept in one int64, the
	// theoretical arrival time. It is exact to the nanosecond and the
	// default.
	GCRA Algorithm = iota
	// TokenBucket is Amazon API Gateway's throttling model: a bucket of
	// Burst tokens refilled at Quota per Period. It admits the same
	// requests as GCRA, kept as a token count and a timestamp, counted
	// in float64 as golang.org/x/time/rate does.
	TokenBucket
	// SlidingWindow counts Quota per Period over a window that slides,
	// estimated from two fixed-window counters: the current window's
	// count plus the previous window's, weighted by the part of it the
	// sliding window still covers and rounded down. The estimate is exact
	// when requests are spread evenly. When they are not, the previous
	// window's requests may have bunched at its end: at a fraction f into
	// the current window up to Quota×f + 1 more may pass than a true
	// sliding window would allow, but never more than 2×Quota in any span
	// of one Period, as no fixed window admits more than Quota.
	SlidingWindow
	// FixedWindow counts Quota per Period in windows aligned to the Unix
	// epoch (a day is a UTC day). Up to 2×Quota may pass around a window
	// boundary.
	FixedWindow
)

var algorithmNames = [...]string{"gcra", "token-bucket", "sliding-window", "fixed-window"}

// String returns the algorithm's name, e.g. "gcra".
func (a Algorithm) String() string {
	if int(a) < len(algorithmNames) {
		return algorithmNames[a]
	}
	return "Algorithm(" + strconv.Itoa(int(a)) + ")"
}

// Limit is one rate limit: Quota units per Period, counted with Algorithm.
// Build one with [PerSecond], [PerMinute], [PerHour], [PerDay] or [Every]
// and refine it with its With methods. A Limit is a small value; copy it
// freely.
type Limit struct {
	// Name identifies the limit in response headers and, with its
	// policy's name, the counter it keeps. Empty means a name from the
	// period: "second", "minute", "hour", "day" or "w<seconds>".
	Name string
	// Quota is the number of units allowed per Period (the refill rate
	// for GCRA and TokenBucket). It must be at least 1.
	Quota int64
	// Period is the time Quota is counted over. It must be positive.
	Period time.Duration
	// Burst is the bucket depth for GCRA and TokenBucket: how many units
	// may pass at once. 0 means Quota. Window algorithms ignore it.
	Burst int64
	// Algorithm is how units are counted; the zero value is GCRA.
	Algorithm Algorithm
	// Global makes all callers share one counter, as API Gateway's
	// account-level limit does, instead of one counter per key.
	Global bool
}

// Errors reporting a [Limit] that cannot work.
var (
	// ErrInvalidLimit is returned for a limit with a non-positive quota
	// or period, a negative burst, an unknown algorithm or a name that
	// is repeated in one policy.
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")
	// ErrCostTooHigh is returned by a take whose cost exceeds what the
	// limit can ever admit at once (its burst, or its quota for window
	// algorithms): waiting would not help.
	ErrCostTooHigh = errors.New("ratelimit: cost exceeds limit capacity")
)

// maxQuota bounds Quota and Burst so that nanosecond arithmetic on them
// cannot overflow int64.
const maxQuota = 1 << 40

// PerSecond returns API Gateway's throttle: rate requests per second with
// a bucket of burst (at least 1; a smaller burst means rate).
func PerSecond(rate, burst int64) Limit {
	return Limit{Quota: rate, Period: time.Second, Burst: burst}
}

// PerMinute returns a limit of n per minute, all of which may pass at once.
func PerMinute(n int64) Limit { return Every(time.Minute, n) }

// PerHour returns a limit of n per hour, all of which may pass at once.
func PerHour(n int64) Limit { return Every(time.Hour, n) }

// PerDay returns a limit of n per day, all of which may pass at once.
func PerDay(n int64) Limit { return Every(24*time.Hour, n) }

// Every returns a limit of n per period.
func Every(period time.Duration, n int64) Limit { return Limit{Quota: n, Period: period} }

// Named returns l with Name set.
func (l Limit) Named(name string) Limit { l.Name = name; return l }

// WithBurst returns l with Burst set.
func (l Limit) WithBurst(burst int64) Limit { l.Burst = burst; return l }

// WithAlgorithm returns l counted with a.
func (l Limit) WithAlgorithm(a Algorithm) Limit { l.Algorithm = a; return l }

// Shared returns l with Global set: one counter for all callers.
func (l Limit) Shared() Limit { l.Global = true; return l }

// Validate reports whether l can be used, as an error wrapping
// [ErrInvalidLimit].
func (l Limit) Validate() error {
	switch {
	case l.Quota < 1 || l.Quota > maxQuota:
		return fmt.Errorf("%w: quota %d outside [1, 2^40]", ErrInvalidLimit, l.Quota)
	case l.Period <= 0:
		return fmt.Errorf("%w: period %v not positive", ErrInvalidLimit, l.Period)
	case l.Burst < 0 || l.Burst > maxQuota:
		return fmt.Errorf("%w: burst %d outside [0, 2^40]", ErrInvalidLimit, l.Burst)
	case l.Algorithm > FixedWindow:
		return fmt.Errorf("%w: unknown algorithm %d", ErrInvalidLimit, l.Algorithm)
	case l.isBucket() && l.capacity() > (1<<62)/l.interval():
		return fmt.Errorf("%w: burst %d × interval %v overflows", ErrInvalidLimit, l.capacity(), time.Duration(l.interval()))
	}
	return nil
}

func (l *Limit) isBucket() bool { return l.Algorithm == GCRA || l.Algorithm == TokenBucket }

// capacity is the most units the limit admits at once.
func (l *Limit) capacity() int64 {
	if l.isBucket() && l.Burst > 0 {
		return l.Burst
	}
	return l.Quota
}

// interval is the time one unit takes to refill, rounded up to whole
// nanoseconds so that rounding never admits more than the rate.
func (l *Limit) interval() int64 {
	return max(1, (int64(l.Period)+l.Quota-1)/l.Quota)
}

// name returns Name or the default derived from Period.
func (l *Limit) name() string {
	if l.Name != "" {
		return l.Name
	}
	switch l.Period {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return "w" + strconv.FormatInt(rlheader.Seconds(int64(l.Period)), 10)
}

// headerPolicy describes l as a RateLimit-Policy item: the quota is the
// units that may pass at once and the window the time they take to come
// back (Burst at the refill rate for buckets, Period for windows).
func (l *Limit) headerPolicy() rlheader.Policy {
	w := int64(l.Period)
	if l.isBucket() {
		w = l.capacity() * l.interval()
	}
	return rlheader.Policy{Name: l.name(), Quota: l.capacity(), Window: rlheader.Seconds(w)}
}
