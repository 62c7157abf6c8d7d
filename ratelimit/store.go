package ratelimit

import (
	"context"
	"errors"
	"time"
)

// ErrStoreUnavailable may be wrapped by a [Store] whose backend failed, so
// callers can tell a failure from a refusal with [errors.Is]. The
// [Limiter] treats every store error as a failure and applies its fail
// policy (see [WithFailPolicy]).
var ErrStoreUnavailable = errors.New("ratelimit: store unavailable")

// Counter names one limit's counter for a key: Bucket is the limit's place
// in its policy (see [Policy]), printable and constant per limit: unlike
// the key, a store may keep the string it is given.
type Counter struct {
	Bucket string
	Limit  Limit

	interval int64 // Limit's, worked out in advance by NewPolicy; 0 if not
}

// TakeRequest asks a [Store] to take Cost units from each of Counters
// for Key, or from none.
type TakeRequest struct {
	// Key is the caller's key; it may hold any bytes. It is only valid
	// during the call: a store that keeps it must copy it (a caller may
	// build it in a reused buffer).
	Key string
	// Counters are the limits to apply, at least one. Each Limit is
	// valid and Cost never exceeds its capacity. A limit may differ from
	// the one last applied to the same counter (it was changed); the
	// store applies the new one.
	Counters []Counter
	// Cost is the number of units to take; 0 reports the state without
	// taking anything and a negative cost gives units back.
	Cost int64
	// Now is the limiter's clock. A remote store may use its own clock
	// instead (Redis's TIME, the database's now()) so that all processes
	// agree; the memory store uses Now.
	Now time.Time
}

// Store keeps counters. Implementations must be safe for concurrent use;
// ratelimittest.Run checks one against this contract.
type Store interface {
	// Take atomically applies req as [TakeRequest.Apply] describes: it
	// takes the units from every counter if all of them admit the take,
	// and otherwise takes nothing. A refusal is a Result with Allowed
	// false, not an error; an error means the store could not decide (a
	// backend failure) and should wrap [ErrStoreUnavailable] or be
	// ctx.Err().
	Take(ctx context.Context, req TakeRequest) (Result, error)
}

// maxInline is how many counters a take handles without allocating.
const maxInline = 4

// Apply applies req to states, the counters' states in the order of
// req.Counters (the zero State for a counter never seen), at req.Now. If
// every counter admits the take, it updates the states and returns the
// result of the counter with the fewest units left; otherwise it leaves
// them alone and returns the refusal with the longest RetryAfter, the
// true wait. A store that keeps state elsewhere (SQL rows, say) reads the
// states, calls Apply and writes them back in one transaction. A counter's
// state may be forgotten once Now passes Now + its Reset: it is then as
// good as fresh.
func (req *TakeRequest) Apply(states []State) Result {
	o, at := req.apply(states, req.Now.UnixNano(), nil)
	return o.result(&req.Counters[at].Limit)
}

// apply is Apply at now in Unix nanoseconds, returning the outcome and
// the index of the counter it is about; it records in idle, when given,
// the time after which each counter is as good as fresh.
func (req *TakeRequest) apply(states []State, now int64, idle []int64) (outcome, int) {
	var buf [maxInline]State
	next := buf[:0]
	if len(states) > maxInline {
		next = make([]State, 0, len(states))
	}
	var best outcome
	at := 0
	for i := range req.Counters {
		c := &req.Counters[i] // not a copy: Counter is large
		next = append(next, states[i])
		cost := min(req.Cost, c.Limit.capacity()+1) // never overflow
		o := c.Limit.take(&next[i], now, cost, c.interval)
		if idle != nil {
			idle[i] = now + o.reset
		}
		if i == 0 || o.better(best) {
			best, at = o, i
		}
	}
	if best.allowed {
		copy(states, next)
	}
	return best, at
}

// better reports whether o should be reported rather than best: a
// refusal over an admission, the longer wait among refusals, the fewest
// units left (then the longest reset) among admissions.
func (o outcome) better(best outcome) bool {
	switch {
	case o.allowed != best.allowed:
		return !o.allowed
	case !o.allowed:
		return o.retryWait > best.retryWait
	case o.remaining != best.remaining:
		return o.remaining < best.remaining
	}
	return o.reset > best.reset
}

// better is outcome.better for results.
func better(r, best Result) bool {
	return outcome{r.Allowed, r.Remaining, int64(r.Reset), int64(r.RetryAfter)}.better(
		outcome{best.Allowed, best.Remaining, int64(best.Reset), int64(best.RetryAfter)})
}
