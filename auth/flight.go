package auth

import (
	"context"
	"errors"
	"sync"
)

// cacheKey is the SHA-256 of a request's identity source values.
type cacheKey = [32]byte

// result is what a custom authorizer decided.
type result struct {
	id  *Identity
	err error
}

// flightGroup collapses concurrent calls for one key into a single call,
// as golang.org/x/sync/singleflight does, without the dependency. Its zero
// value is ready; it is safe for concurrent use.
type flightGroup struct {
	mu sync.Mutex
	m  map[cacheKey]*flight
}

type flight struct {
	done chan struct{}
	res  result
	// abandoned is set when the leading request's context ended, so its
	// result (probably ctx.Err()) says nothing about the waiters' requests.
	abandoned bool
}

// errAuthorizerPanicked is what waiters get when the call they waited for
// panicked; the panic itself goes on up the leading request's goroutine.
var errAuthorizerPanicked = errors.New("auth: custom authorizer panicked")

// do returns the result of fn for key, calling it only if no call for key
// is in flight and otherwise waiting for that call. A waiter whose own ctx
// ends returns ctx.Err(); a waiter whose leader's ctx ended tries again.
func (g *flightGroup) do(ctx context.Context, key cacheKey, fn func() result) result {
	for {
		g.mu.Lock()
		f, ok := g.m[key]
		if !ok {
			f = &flight{done: make(chan struct{})}
			if g.m == nil {
				g.m = make(map[cacheKey]*flight)
			}
			g.m[key] = f
			g.mu.Unlock()
			return g.lead(ctx, key, f, fn)
		}
		g.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return result{err: ctx.Err()}
		}
		if !f.abandoned {
			return f.res
		}
	}
}

func (g *flightGroup) lead(ctx context.Context, key cacheKey, f *flight, fn func() result) result {
	f.res = result{err: errAuthorizerPanicked}
	defer func() {
		f.abandoned = ctx.Err() != nil
		g.mu.Lock()
		delete(g.m, key)
		g.mu.Unlock()
		close(f.done)
	}()
	f.res = fn()
	return f.res
}
