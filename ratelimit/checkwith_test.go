package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
)

// TestCheckWith proves CheckWith hands take the request the store would
// get, and leaves to the store what one store call cannot decide.
func TestCheckWith(t *testing.T) {
	now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	perMinute := ratelimit.PerMinute(10)
	tests := []struct {
		name      string
		limits    []ratelimit.Limit
		opts      []ratelimit.Option
		wantTake  bool
		wantCount bool
	}{
		{"per-key limits: take decides", []ratelimit.Limit{perMinute}, nil, true, true},
		{"global limit: the store decides", []ratelimit.Limit{perMinute, ratelimit.PerSecond(100, 100).Shared()}, nil, false, true},
		{"skipped: nobody decides", []ratelimit.Limit{perMinute}, []ratelimit.Option{ratelimit.WithSkip(func(*http.Request) bool { return true })}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := ratelimit.NewMemoryStore(0)
			opts := append([]ratelimit.Option{
				ratelimit.WithClock(func() time.Time { return now }),
				ratelimit.WithKey(func(*http.Request) (string, bool) { return "k", true }),
				ratelimit.WithCost(func(*http.Request) int64 { return 3 }),
			}, tt.opts...)
			l, err := ratelimit.New(store, tt.limits, opts...)
			require.NoError(t, err)
			var got []ratelimit.TakeRequest
			take := func(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
				got = append(got, req)
				return store.Take(ctx, req)
			}
			d, err := l.CheckWith(httptest.NewRequest(http.MethodGet, "/", nil), take)
			require.NoError(t, err)
			assert.Equal(t, tt.wantCount, d.Counted)
			if !tt.wantTake {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, "k", got[0].Key)
			assert.Equal(t, int64(3), got[0].Cost)
			assert.Equal(t, now, got[0].Now)
			require.Len(t, got[0].Counters, 1)
			assert.Equal(t, perMinute.Quota, got[0].Counters[0].Limit.Quota)
			assert.True(t, d.Result.Allowed)
			assert.Equal(t, int64(7), d.Result.Remaining)
		})
	}
}
