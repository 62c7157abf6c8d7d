package ratelimit

import (
	"context"
	"errors"
	"sync/atomic"
)

// FallbackStore is a [Store] that takes from a primary store, typically a
// shared one in Redis or a database, and from a local store while the
// primary fails, so that each instance keeps throttling on its own instead
// of letting everything through or refusing it, and returns to the shared
// counters as soon as the primary answers again. The local store is
// typically a [NewMemoryStore]; it keeps its own counters, so while the
// primary is down each instance applies the limits by itself (n instances
// admit up to n times a limit between them).
//
// A take goes to the local store only when the primary's error wraps
// [ErrStoreUnavailable] and the caller's context is still live: a
// cancelled or expired request is not retried, and any other error (an
// invalid limit, say) is returned as is. Without a fallback, the
// [Limiter]'s fail policy decides instead (see [WithFailPolicy]).
//
// It is safe for concurrent use if both stores are.
type FallbackStore struct {
	primary, local Store
	fallbacks      atomic.Uint64
}

var _ Store = (*FallbackStore)(nil)

// NewFallbackStore returns a store that takes from primary, and from local
// while primary fails. Neither may be nil.
func NewFallbackStore(primary, local Store) (*FallbackStore, error) {
	if primary == nil {
		return nil, errors.New("ratelimit: nil primary store")
	}
	if local == nil {
		return nil, errors.New("ratelimit: nil fallback store")
	}
	return &FallbackStore{primary: primary, local: local}, nil
}

// Take implements [Store]: it returns the primary's result and error
// unless the primary failed (its error wraps [ErrStoreUnavailable]) while
// ctx is live, in which case it returns the local store's and counts the
// take in [FallbackStore.Fallbacks].
func (f *FallbackStore) Take(ctx context.Context, req TakeRequest) (Result, error) {
	return f.TakeWith(ctx, req, f.primary.Take)
}

// TakeWith is [FallbackStore.Take] with take in place of the primary's
// Take, for a caller that reaches the primary store another way:
// tollgate's Gate decides a request's limits and its quota in one call to
// [FallbackStore.Primary], and still has the local store stand in when
// that call fails.
func (f *FallbackStore) TakeWith(ctx context.Context, req TakeRequest, take func(context.Context, TakeRequest) (Result, error)) (Result, error) {
	res, err := take(ctx, req)
	if err == nil || !errors.Is(err, ErrStoreUnavailable) || ctx.Err() != nil {
		return res, err
	}
	f.fallbacks.Add(1)
	return f.local.Take(ctx, req)
}

// Primary returns the store f takes from while it answers.
func (f *FallbackStore) Primary() Store { return f.primary }

// Fallbacks returns how many takes the local store has served since the
// FallbackStore was made, for metrics.
func (f *FallbackStore) Fallbacks() uint64 { return f.fallbacks.Load() }
