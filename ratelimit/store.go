package ratelimit

import (
	"context"
	"errors"
	"time"
)

// ErrStoreUnavailable may be wrapped by a [Store] whose backend failed, so
// callers can tell a failure from a refusal with [errors.Is]. The
// [Limiter] treats every store error as a failure and applies its fail
// policy (see [WithFailOpen]).
var ErrStoreUnavailable = errors.New("ratelimit: store unavailable")

// TakeRequest asks a [Store] to take Cost units from one counter.
type TakeRequest struct {
	// Bucket and Key together name the counter: Bucket is the limit's
	// place in its policy (constant per limit, see [Policy]) and Key the
	// caller's key. Both may hold any bytes (Bucket is printable). Key
	// is only valid during the call; a store that keeps it must copy it
	// (a caller may build it in a reused buffer).
	Bucket string
	Key    string
	// Limit is the limit to apply. It is valid and Cost never exceeds its
	// capacity; it may differ from the last call for the same counter
	// (the limit was changed), and the store applies the new one.
	Limit Limit
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
	// Take atomically applies req.Limit to the counter named by
	// req.Bucket and req.Key, as [Limit.Apply] describes: it takes the
	// units if they are all available and otherwise takes nothing. A
	// refusal is a Result with Allowed false, not an error; an error
	// means the store could not decide (a backend failure) and should
	// wrap [ErrStoreUnavailable] or ctx.Err().
	Take(ctx context.Context, req TakeRequest) (Result, error)
}
