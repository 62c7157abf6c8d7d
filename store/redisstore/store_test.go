package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

func TestNewOptions(t *testing.T) {
	c := standaloneClient(t)
	tests := []struct {
		name    string
		opts    []redisstore.Option
		wantErr bool
	}{
		{"defaults", nil, false},
		{"no timer of its own", []redisstore.Option{redisstore.WithTimeout(0)}, false},
		{"negative timeout", []redisstore.Option{redisstore.WithTimeout(-time.Second)}, true},
		{"brace in prefix", []redisstore.Option{redisstore.WithPrefix("a{b}:")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := redisstore.New(c, tt.opts...)
			assert.Equal(t, tt.wantErr, err != nil, "error: %v", err)
		})
	}
	_, err := redisstore.New(nil)
	assert.Error(t, err, "nil client")
}

// TestTimeoutZero takes with no timer of the store's own, and with a
// caller's deadline shorter than the store's timeout: both are served.
func TestTimeoutZero(t *testing.T) {
	c := standaloneClient(t)
	req := ratelimit.TakeRequest{Key: "k", Cost: 1, Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(2)}}}
	for _, d := range []time.Duration{0, time.Hour} {
		s := newStore(t, c, redisstore.WithTimeout(d)).RateLimits()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := s.Take(ctx, req)
		cancel()
		require.NoError(t, err)
		assert.Equal(t, int64(1), r.Remaining, "timeout %v", d)
	}
}
