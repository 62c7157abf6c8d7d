package ratelimit

import (
	"math"
	"time"
)

// State is what a store keeps for one counter. Its fields mean different
// things per algorithm (GCRA uses only Time, the theoretical arrival
// time); a store persists them as they are and passes them back to
// [Limit.Apply]. The zero State is a fresh counter: a full bucket or an
// empty window.
type State struct {
	// Time is GCRA's theoretical arrival time or the token bucket's last
	// update, in Unix nanoseconds, or a window's index plus one.
	Time int64
	// Count is the token bucket's deficit (float64 bits) or the current
	// window's count.
	Count int64
	// Prev is the previous window's count (SlidingWindow only).
	Prev int64
}

// Result is the outcome of taking units from a limit.
type Result struct {
	// Allowed reports whether the units were taken.
	Allowed bool
	// Limit is the limit the result is about; when several apply, the
	// one that refused or else the one with the fewest units remaining.
	Limit Limit
	// Remaining is how many units could be taken now, after this take.
	Remaining int64
	// Reset is the time until the counter is back to full.
	Reset time.Duration
	// RetryAfter is, when Allowed is false, the time until the same take
	// would succeed if nothing else were taken meanwhile; 0 when allowed.
	RetryAfter time.Duration
}

// outcome is a Result without its Limit, which the algorithms return so
// that the hot path builds the larger Result only once.
type outcome struct {
	allowed                     bool
	remaining, reset, retryWait int64
}

// result attaches l to o.
func (o outcome) result(l *Limit) Result {
	return Result{Allowed: o.allowed, Limit: *l, Remaining: o.remaining, Reset: time.Duration(o.reset), RetryAfter: time.Duration(o.retryWait)}
}

// Apply takes cost units from the counter s at time now and returns the
// new state and the result. A refused take leaves the state unchanged. A
// negative cost gives units back (never beyond a full counter). It is the
// whole of a limit's arithmetic, so a store that keeps state elsewhere
// (a SQL row, say) applies it in a transaction and persists the new
// State. The state may be discarded once now passes now+Reset: it is
// then as good as fresh. l must be valid (see [Limit.Validate]).
func (l Limit) Apply(s State, now time.Time, cost int64) (State, Result) {
	cost = min(cost, l.capacity()+1) // never overflow; such a take is refused
	next := s
	o := l.take(&next, now.UnixNano(), cost, 0)
	if !o.allowed {
		return s, o.result(&l)
	}
	return next, o.result(&l)
}

// take is Apply on a state in place, with now in Unix nanoseconds and
// cost at most the capacity, as [TakeRequest] promises. On a refusal it
// may leave s changed into an equivalent state (refilled to now), which
// the callers discard. interval is l.interval(), or 0 to compute it.
func (l *Limit) take(s *State, now, cost, interval int64) outcome {
	switch l.Algorithm {
	case GCRA:
		if interval == 0 {
			interval = l.interval()
		}
		return l.takeGCRA(s, now, cost, interval)
	case TokenBucket:
		return l.takeBucket(s, now, cost)
	case SlidingWindow:
		return l.takeSliding(s, now, cost)
	case FixedWindow:
		return l.takeFixed(s, now, cost)
	}
	return outcome{} // an invalid algorithm refuses
}

func (l *Limit) takeGCRA(s *State, now, cost, t int64) outcome {
	tau := l.capacity() * t
	tat := max(s.Time, now)
	next := max(tat+cost*t, now)
	r := outcome{allowed: next-now <= tau}
	if !r.allowed {
		r.retryWait = next - now - tau
		next = tat
	}
	s.Time = next
	r.remaining = (now + tau - next) / t
	r.reset = next - now
	return r
}

// bucketEpsilon absorbs float64 rounding in the refill, so that a bucket
// refilled for exactly the time one token takes holds one token.
const bucketEpsilon = 1e-9

func (l *Limit) takeBucket(s *State, now, cost int64) outcome {
	rate := float64(l.Quota) / float64(l.Period) // tokens per nanosecond
	capacity := float64(l.capacity())
	deficit := math.Float64frombits(uint64(s.Count))
	if elapsed := now - s.Time; elapsed > 0 {
		deficit = max(0, deficit-float64(elapsed)*rate)
		s.Time = now
	}
	deficit = min(deficit, capacity) // the limit was made shallower
	r := outcome{allowed: deficit+float64(cost) <= capacity+bucketEpsilon}
	if r.allowed {
		deficit = min(max(0, deficit+float64(cost)), capacity)
	} else {
		r.retryWait = ceilNanos((deficit + float64(cost) - capacity) / rate)
	}
	s.Count = int64(math.Float64bits(deficit))
	r.remaining = int64(capacity - deficit + bucketEpsilon)
	r.reset = ceilNanos(deficit / rate)
	return r
}

func (l *Limit) takeFixed(s *State, now, cost int64) outcome {
	p := int64(l.Period)
	idx := now / p
	if s.Time != idx+1 {
		*s = State{Time: idx + 1}
	}
	r := outcome{allowed: s.Count+cost <= l.Quota}
	end := (idx+1)*p - now
	if r.allowed {
		s.Count = max(0, s.Count+cost)
	} else {
		r.retryWait = end
	}
	r.remaining = l.Quota - s.Count
	if s.Count > 0 {
		r.reset = end
	}
	return r
}

func (l *Limit) takeSliding(s *State, now, cost int64) outcome {
	p := int64(l.Period)
	idx := now / p
	switch s.Time {
	case idx + 1:
	case idx:
		*s = State{Time: idx + 1, Prev: s.Count}
	default:
		*s = State{Time: idx + 1}
	}
	elapsed := now - idx*p
	prev := weighted(s.Prev, p, elapsed)
	r := outcome{allowed: prev+s.Count+cost <= l.Quota}
	if r.allowed {
		s.Count = max(0, s.Count+cost)
	} else {
		r.retryWait = l.slidingWait(s, elapsed, cost)
	}
	r.remaining = max(0, l.Quota-prev-s.Count)
	switch {
	case s.Count > 0:
		r.reset = 2*p - elapsed
	case s.Prev > 0:
		r.reset = p - elapsed
	}
	return r
}

// slidingWait is how long a refused take of cost must wait until the
// weighted estimate leaves room for it.
func (l *Limit) slidingWait(s *State, elapsed, cost int64) int64 {
	p := int64(l.Period)
	if room := l.Quota - s.Count - cost; room >= 0 { // the previous window fades
		return fadeTime(s.Prev, p, room) - elapsed
	}
	// Wait for the next window, where today's count is the one that fades.
	return p - elapsed + fadeTime(s.Count, p, l.Quota-cost)
}

// weighted is count weighed by the part of the window still to come at
// elapsed, rounded down: the estimate of a previous window's requests
// that fall inside the sliding window.
func weighted(count, period, elapsed int64) int64 {
	return int64(float64(count) * float64(period-elapsed) / float64(period))
}

// fadeTime returns the first elapsed time at which weighted(count) is at
// most room. It solves the inequality in floating point and then steps to
// the exact nanosecond that weighted, the function the take uses, agrees
// with.
func fadeTime(count, period, room int64) int64 {
	switch {
	case room < 0: // a cost above the quota, which the limiter refuses earlier
		return period
	case count <= room:
		return 0
	}
	e := int64(float64(period) * (1 - float64(room+1)/float64(count)))
	e = min(max(e, 0), period)
	for e < period && weighted(count, period, e) > room {
		e++
	}
	for e > 0 && weighted(count, period, e-1) <= room {
		e--
	}
	return e
}

// ceilNanos rounds nanoseconds up, so a caller that waits is never early.
func ceilNanos(ns float64) int64 {
	if ns <= 0 {
		return 0
	}
	return int64(math.Ceil(ns))
}
