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
	r := l.take(&next, now.UnixNano(), cost, 0)
	if !r.Allowed {
		return s, r
	}
	return next, r
}

// take is Apply on a state in place, with now in Unix nanoseconds and
// cost at most the capacity, as [TakeRequest] promises. On a refusal it
// may leave s changed into an equivalent state (refilled to now), which
// the callers discard. interval is l.interval(), or 0 to compute it.
func (l Limit) take(s *State, now, cost, interval int64) Result {
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
	return Result{Limit: l} // an invalid algorithm refuses
}

func (l Limit) takeGCRA(s *State, now, cost, t int64) Result {
	tau := l.capacity() * t
	tat := max(s.Time, now)
	next := max(tat+cost*t, now)
	r := Result{Allowed: next-now <= tau, Limit: l}
	if !r.Allowed {
		r.RetryAfter = time.Duration(next - now - tau)
		next = tat
	}
	s.Time = next
	r.Remaining = (now + tau - next) / t
	r.Reset = time.Duration(next - now)
	return r
}

// bucketEpsilon absorbs float64 rounding in the refill, so that a bucket
// refilled for exactly the time one token takes holds one token.
const bucketEpsilon = 1e-9

func (l Limit) takeBucket(s *State, now, cost int64) Result {
	rate := float64(l.Quota) / float64(l.Period) // tokens per nanosecond
	capacity := float64(l.capacity())
	deficit := math.Float64frombits(uint64(s.Count))
	if elapsed := now - s.Time; elapsed > 0 {
		deficit = max(0, deficit-float64(elapsed)*rate)
		s.Time = now
	}
	deficit = min(deficit, capacity) // the limit was made shallower
	r := Result{Allowed: deficit+float64(cost) <= capacity+bucketEpsilon, Limit: l}
	if r.Allowed {
		deficit = min(max(0, deficit+float64(cost)), capacity)
	} else {
		r.RetryAfter = ceilDuration((deficit + float64(cost) - capacity) / rate)
	}
	s.Count = int64(math.Float64bits(deficit))
	r.Remaining = int64(capacity - deficit + bucketEpsilon)
	r.Reset = ceilDuration(deficit / rate)
	return r
}

func (l Limit) takeFixed(s *State, now, cost int64) Result {
	p := int64(l.Period)
	idx := now / p
	if s.Time != idx+1 {
		*s = State{Time: idx + 1}
	}
	r := Result{Allowed: s.Count+cost <= l.Quota, Limit: l}
	end := time.Duration((idx+1)*p - now)
	if r.Allowed {
		s.Count = max(0, s.Count+cost)
	} else {
		r.RetryAfter = end
	}
	r.Remaining = l.Quota - s.Count
	if s.Count > 0 {
		r.Reset = end
	}
	return r
}

func (l Limit) takeSliding(s *State, now, cost int64) Result {
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
	r := Result{Allowed: prev+s.Count+cost <= l.Quota, Limit: l}
	if r.Allowed {
		s.Count = max(0, s.Count+cost)
	} else {
		r.RetryAfter = l.slidingWait(s, elapsed, cost)
	}
	r.Remaining = max(0, l.Quota-prev-s.Count)
	switch {
	case s.Count > 0:
		r.Reset = time.Duration(2*p - elapsed)
	case s.Prev > 0:
		r.Reset = time.Duration(p - elapsed)
	}
	return r
}

// slidingWait is how long a refused take of cost must wait until the
// weighted estimate leaves room for it.
func (l Limit) slidingWait(s *State, elapsed, cost int64) time.Duration {
	p := int64(l.Period)
	if room := l.Quota - s.Count - cost; room >= 0 { // the previous window fades
		return time.Duration(fadeTime(s.Prev, p, room) - elapsed)
	}
	// Wait for the next window, where today's count is the one that fades.
	return time.Duration(p - elapsed + fadeTime(s.Count, p, l.Quota-cost))
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

// ceilDuration rounds nanoseconds up, so a caller that waits is never early.
func ceilDuration(ns float64) time.Duration {
	if ns <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(ns))
}
