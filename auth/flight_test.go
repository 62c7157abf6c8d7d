package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
)

// gate is an authorizer function that blocks every call until released,
// so a test can hold a call in flight while more requests arrive.
type gate struct {
	calls   atomic.Int64
	release chan struct{}
	panics  bool
	fails   bool
}

func (g *gate) authorize(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	g.calls.Add(1)
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	switch {
	case g.panics:
		panic("authorizer bug")
	case g.fails:
		return nil, auth.ErrInvalidCredentials
	}
	return &auth.Identity{ID: r.Header.Get("X-Token")}, nil
}

type outcome struct {
	id  *auth.Identity
	err error
}

// launch starts n requests with token tok, each with its own context.
func launch(a auth.Authenticator, n int, tok string, ctxs []context.Context, wg *sync.WaitGroup) []outcome {
	out := make([]outcome, n)
	for i := range n {
		ctx := context.Background()
		if i < len(ctxs) {
			ctx = ctxs[i]
		}
		wg.Go(func() {
			defer func() { _ = recover() }() // the leader re-panics; waiters must not hang
			r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
			r.Header.Set("X-Token", tok)
			id, err := a.Authenticate(ctx, r)
			out[i] = outcome{id, err}
		})
	}
	return out
}

func TestCustomAuthorizerCollapsesMisses(t *testing.T) {
	tests := []struct {
		name       string
		fails      bool
		wantStatus int // 0: success
	}{
		{"identity", false, 0},
		{"refusal", true, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := &gate{release: make(chan struct{}), fails: tt.fails}
				a, err := auth.NewCustomAuthorizer(g.authorize, auth.WithIdentitySources(auth.HeaderSource("X-Token")))
				require.NoError(t, err)
				var wg sync.WaitGroup
				same := launch(a, 50, "t1", nil, &wg)
				other := launch(a, 1, "t2", nil, &wg)
				synctest.Wait() // every request is now blocked: in the function or waiting for it
				assert.EqualValues(t, 2, g.calls.Load(), "one call per distinct key")
				close(g.release)
				wg.Wait()
				for _, o := range append(same, other...) {
					if tt.wantStatus == 0 {
						require.NoError(t, o.err)
						assert.NotEmpty(t, o.id.ID)
					} else {
						assert.Equal(t, tt.wantStatus, auth.HTTPStatus(o.err))
					}
				}
				if tt.wantStatus == 0 {
					assert.Equal(t, "t1", same[0].id.ID)
					assert.Equal(t, "t2", other[0].id.ID)
				}
			})
		})
	}
}

// TestCustomAuthorizerLeaderGoesAway checks that a waiter is not handed
// the context error of the request whose call it waited for.
func TestCustomAuthorizerLeaderGoesAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{release: make(chan struct{})}
		a, err := auth.NewCustomAuthorizer(g.authorize, auth.WithIdentitySources(auth.HeaderSource("X-Token")))
		require.NoError(t, err)
		leaderCtx, cancelLeader := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		leader := launch(a, 1, "t", []context.Context{leaderCtx}, &wg)
		synctest.Wait()
		waiters := launch(a, 5, "t", nil, &wg)
		synctest.Wait()
		require.EqualValues(t, 1, g.calls.Load())

		cancelLeader()
		synctest.Wait() // one waiter took over the call
		assert.EqualValues(t, 2, g.calls.Load())
		close(g.release)
		wg.Wait()
		assert.ErrorIs(t, leader[0].err, context.Canceled)
		for _, o := range waiters {
			require.NoError(t, o.err)
			assert.Equal(t, "t", o.id.ID)
		}
	})
}

func TestCustomAuthorizerWaiterGoesAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{release: make(chan struct{})}
		a, err := auth.NewCustomAuthorizer(g.authorize, auth.WithIdentitySources(auth.HeaderSource("X-Token")))
		require.NoError(t, err)
		var wg sync.WaitGroup
		leader := launch(a, 1, "t", nil, &wg)
		synctest.Wait()
		waiterCtx, cancelWaiter := context.WithCancel(context.Background())
		waiter := launch(a, 1, "t", []context.Context{waiterCtx}, &wg)
		synctest.Wait()
		cancelWaiter()
		synctest.Wait()
		assert.ErrorIs(t, waiter[0].err, context.Canceled, "a waiter leaves when its own request ends")
		close(g.release)
		wg.Wait()
		require.NoError(t, leader[0].err)
		assert.EqualValues(t, 1, g.calls.Load())
	})
}

func TestCustomAuthorizerPanicReleasesWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{release: make(chan struct{}), panics: true}
		a, err := auth.NewCustomAuthorizer(g.authorize, auth.WithIdentitySources(auth.HeaderSource("X-Token")))
		require.NoError(t, err)
		var wg sync.WaitGroup
		out := launch(a, 10, "t", nil, &wg)
		synctest.Wait()
		close(g.release)
		wg.Wait()
		failed := 0
		for _, o := range out {
			if o.err != nil {
				failed++
				assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(o.err))
			}
		}
		assert.Equal(t, 9, failed, "every waiter gets an error; the leader panicked")
		assert.EqualValues(t, 1, g.calls.Load())
	})
}
