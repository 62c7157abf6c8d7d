package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
)

// stubStore answers every take with res and err, and counts the takes.
// FallbackStore only routes takes, so a stub shows its contract better
// than a real store whose failures are hard to arrange.
type stubStore struct {
	res   ratelimit.Result
	err   error
	mu    sync.Mutex
	calls int
}

func (s *stubStore) Take(context.Context, ratelimit.TakeRequest) (ratelimit.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return s.res, s.err
}

func TestNewFallbackStoreRefusesNil(t *testing.T) {
	mem := ratelimit.NewMemoryStore(0)
	tests := []struct {
		name           string
		primary, local ratelimit.Store
	}{
		{"nil primary", nil, mem},
		{"nil local", mem, nil},
		{"both nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ratelimit.NewFallbackStore(tt.primary, tt.local)
			assert.Error(t, err)
			assert.Nil(t, s)
		})
	}
}

func TestFallbackStoreTake(t *testing.T) {
	var (
		admitted   = ratelimit.Result{Allowed: true, Remaining: 4}
		refused    = ratelimit.Result{Allowed: false, RetryAfter: time.Second}
		local      = ratelimit.Result{Allowed: true, Remaining: 9}
		down       = fmt.Errorf("redisstore: rate limit take: %w: connection refused", ratelimit.ErrStoreUnavailable)
		invalid    = fmt.Errorf("redisstore: %w", ratelimit.ErrInvalidLimit)
		cancelled  = func() context.Context { ctx, cancel := context.WithCancel(context.Background()); cancel(); return ctx }
		background = context.Background
	)
	tests := []struct {
		name       string
		ctx        func() context.Context
		primaryRes ratelimit.Result
		primaryErr error
		want       ratelimit.Result
		wantErr    error
		fallback   bool
	}{
		{"primary admits", background, admitted, nil, admitted, nil, false},
		{"primary refuses", background, refused, nil, refused, nil, false},
		{"primary unavailable", background, ratelimit.Result{}, down, local, nil, true},
		{"bare sentinel", background, ratelimit.Result{}, ratelimit.ErrStoreUnavailable, local, nil, true},
		{"other error", background, ratelimit.Result{}, invalid, ratelimit.Result{}, invalid, false},
		{"caller cancelled", cancelled, ratelimit.Result{}, context.Canceled, ratelimit.Result{}, context.Canceled, false},
		{"unavailable after cancel", cancelled, ratelimit.Result{}, down, ratelimit.Result{}, down, false},
	}
	// TakeWith routes the caller's take (another stub here) as Take
	// routes the primary's; the primary itself is then not asked.
	ways := []struct {
		name string
		take func(ctx context.Context, s *ratelimit.FallbackStore, primary, other *stubStore) (ratelimit.Result, error)
	}{
		{"Take", func(ctx context.Context, s *ratelimit.FallbackStore, _, _ *stubStore) (ratelimit.Result, error) {
			return s.Take(ctx, ratelimit.TakeRequest{Key: "k", Cost: 1})
		}},
		{"TakeWith", func(ctx context.Context, s *ratelimit.FallbackStore, primary, other *stubStore) (ratelimit.Result, error) {
			*other, *primary = stubStore{res: primary.res, err: primary.err}, stubStore{}
			return s.TakeWith(ctx, ratelimit.TakeRequest{Key: "k", Cost: 1}, other.Take)
		}},
	}
	for _, way := range ways {
		for _, tt := range tests {
			t.Run(way.name+"/"+tt.name, func(t *testing.T) {
				primary := &stubStore{res: tt.primaryRes, err: tt.primaryErr}
				loc, other := &stubStore{res: local}, &stubStore{}
				s, err := ratelimit.NewFallbackStore(primary, loc)
				require.NoError(t, err)
				assert.Same(t, primary, s.Primary())

				got, err := way.take(tt.ctx(), s, primary, other)
				assert.Equal(t, tt.wantErr, err)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, 1, primary.calls+other.calls, "the primary is always asked first, once")
				wantFallbacks := map[bool]int{false: 0, true: 1}[tt.fallback]
				assert.Equal(t, wantFallbacks, loc.calls, "takes from the local store")
				assert.Equal(t, uint64(wantFallbacks), s.Fallbacks())
			})
		}
	}
}

// TestFallbackStoreReturnsToPrimary: the local store serves only the
// takes made while the primary fails.
func TestFallbackStoreReturnsToPrimary(t *testing.T) {
	primary := &stubStore{res: ratelimit.Result{Allowed: true, Remaining: 1}}
	s, err := ratelimit.NewFallbackStore(primary, ratelimit.NewMemoryStore(0))
	require.NoError(t, err)
	req := ratelimit.TakeRequest{Key: "k", Cost: 1, Now: t0,
		Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(2)}}}
	var remaining []int64
	for _, fails := range []bool{false, true, true, false} {
		primary.err = map[bool]error{true: ratelimit.ErrStoreUnavailable}[fails]
		r, err := s.Take(context.Background(), req)
		require.NoError(t, err)
		remaining = append(remaining, r.Remaining)
	}
	assert.Equal(t, []int64{1, 1, 0, 1}, remaining, "primary, local, local, primary")
	assert.Equal(t, uint64(2), s.Fallbacks())
}

func TestFallbackStoreConformance(t *testing.T) {
	tests := []struct {
		name    string
		primary func() ratelimit.Store
	}{
		{"primary up", func() ratelimit.Store { return ratelimit.NewMemoryStore(0) }},
		{"primary down", func() ratelimit.Store { return failingStore{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
				s, err := ratelimit.NewFallbackStore(tt.primary(), ratelimit.NewMemoryStore(0))
				require.NoError(t, err)
				return s
			})
		})
	}
}

// TestFallbackStoreKeepsLimiting: a Limiter over a FallbackStore whose
// primary is down keeps refusing over the limit, with no error, and
// every take is counted.
func TestFallbackStoreKeepsLimiting(t *testing.T) {
	s, err := ratelimit.NewFallbackStore(failingStore{}, ratelimit.NewMemoryStore(0))
	require.NoError(t, err)
	l, err := ratelimit.New(s, []ratelimit.Limit{ratelimit.PerMinute(3)})
	require.NoError(t, err)
	var allowed []bool
	for range 4 {
		r, err := l.Take(context.Background(), "k", 1)
		require.NoError(t, err)
		allowed = append(allowed, r.Allowed)
	}
	assert.Equal(t, []bool{true, true, true, false}, allowed)
	assert.Equal(t, uint64(4), s.Fallbacks())
}
