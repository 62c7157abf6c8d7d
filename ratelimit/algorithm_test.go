package ratelimit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// admitted counts the takes of cost that pass when tried every step for
// span, starting at t0.
func admitted(l ratelimit.Limit, cost int64, span, step time.Duration) int64 {
	var s ratelimit.State
	var r ratelimit.Result
	n := int64(0)
	for at := time.Duration(0); at <= span; at += step {
		if s, r = l.Apply(s, t0.Add(at), cost); r.Allowed {
			n++
		}
	}
	return n
}

func TestPrecision(t *testing.T) {
	const span = 60 * time.Second
	tests := []struct {
		name  string
		limit ratelimit.Limit
		cost  int64
		step  time.Duration
		want  int64 // exactly, give or take one
	}{
		{"gcra b+rT", ratelimit.PerSecond(10, 20), 1, time.Millisecond, 20 + 10*60},
		{"token bucket b+rT", ratelimit.PerSecond(10, 20).WithAlgorithm(ratelimit.TokenBucket), 1, time.Millisecond, 20 + 10*60},
		{"gcra uneven rate", ratelimit.PerSecond(7, 3), 1, 3 * time.Millisecond, 3 + 7*60},
		{"token bucket uneven rate", ratelimit.PerSecond(7, 3).WithAlgorithm(ratelimit.TokenBucket), 1, 3 * time.Millisecond, 3 + 7*60},
		{"gcra cost 3", ratelimit.PerSecond(10, 20), 3, time.Millisecond, (20 + 10*60) / 3},
		{"token bucket cost 3", ratelimit.PerSecond(10, 20).WithAlgorithm(ratelimit.TokenBucket), 3, time.Millisecond, (20 + 10*60) / 3},
		{"gcra per minute", ratelimit.PerMinute(30).WithBurst(5), 1, 100 * time.Millisecond, 5 + 30},
		{"fixed window", ratelimit.Every(time.Second, 10).WithAlgorithm(ratelimit.FixedWindow), 1, time.Millisecond, 10*60 + 1},
		{"sliding window", ratelimit.Every(time.Second, 10).WithAlgorithm(ratelimit.SlidingWindow), 1, time.Millisecond, 10*60 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.limit.Validate())
			assert.InDelta(t, tt.want, admitted(tt.limit, tt.cost, span, tt.step), 1)
		})
	}
}

func TestRefillAfterIdle(t *testing.T) {
	for _, a := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow} {
		t.Run(a.String(), func(t *testing.T) {
			l := ratelimit.PerSecond(10, 10).WithAlgorithm(a)
			s, r := l.Apply(ratelimit.State{}, t0, 10)
			require.True(t, r.Allowed)
			_, r = l.Apply(s, t0, 1)
			require.False(t, r.Allowed, "empty")
			_, r = l.Apply(s, t0.Add(r.Reset), 10)
			assert.True(t, r.Allowed, "a whole burst after Reset")
			_, r = l.Apply(s, t0.Add(time.Hour), 10)
			assert.True(t, r.Allowed, "a whole burst after an hour")
		})
	}
}

func TestSlidingWindowWeighsPreviousWindow(t *testing.T) {
	l := ratelimit.Every(time.Second, 10).WithAlgorithm(ratelimit.SlidingWindow)
	s, _ := l.Apply(ratelimit.State{}, t0.Add(900*time.Millisecond), 10)
	// 250ms into the next window, 75% of the previous 10 still count,
	// rounded down.
	_, r := l.Apply(s, t0.Add(1250*time.Millisecond), 0)
	assert.Equal(t, int64(3), r.Remaining)
	_, r = l.Apply(s, t0.Add(1250*time.Millisecond), 4)
	require.False(t, r.Allowed)
	assert.Equal(t, 50*time.Millisecond+1, r.RetryAfter, "past 1.3s, 6 weighted + 4 = 10")
}

func TestLimitChangeOnLiveKey(t *testing.T) {
	old := ratelimit.PerSecond(10, 10)
	s, _ := old.Apply(ratelimit.State{}, t0, 10)
	t.Run("gcra keeps its debt in time", func(t *testing.T) {
		// 10 at 10/s is a second of debt: at 20/s it is 20 units, so a
		// raised limit frees units as the debt runs off, never at once.
		_, r := ratelimit.PerSecond(20, 20).Apply(s, t0, 1)
		assert.False(t, r.Allowed)
		assert.Equal(t, 50*time.Millisecond, r.RetryAfter)
		_, r = ratelimit.PerSecond(20, 40).Apply(s, t0, 20)
		assert.True(t, r.Allowed, "a deeper bucket admits the extra depth at once")
	})
	t.Run("token bucket keeps its token deficit", func(t *testing.T) {
		tb := old.WithAlgorithm(ratelimit.TokenBucket)
		s, _ := tb.Apply(ratelimit.State{}, t0, 10)
		_, r := tb.WithBurst(15).Apply(s, t0, 5)
		assert.True(t, r.Allowed, "5 more units of depth")
		_, r = tb.WithBurst(5).Apply(s, t0.Add(time.Second), 5)
		assert.True(t, r.Allowed, "a shallower bucket clamps to its depth")
	})
	t.Run("window keeps its count, a new period starts afresh", func(t *testing.T) {
		fw := ratelimit.Every(time.Minute, 10).WithAlgorithm(ratelimit.FixedWindow)
		s, _ := fw.Apply(ratelimit.State{}, t0, 10)
		_, r := fw.WithBurst(0).Apply(s, t0, 1)
		assert.False(t, r.Allowed)
		_, r = ratelimit.Every(time.Minute, 20).WithAlgorithm(ratelimit.FixedWindow).Apply(s, t0, 10)
		assert.True(t, r.Allowed, "raised quota, same window")
		_, r = ratelimit.Every(time.Hour, 10).WithAlgorithm(ratelimit.FixedWindow).Apply(s, t0.Add(time.Second), 10)
		assert.True(t, r.Allowed, "other period: other windows")
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		l    ratelimit.Limit
		ok   bool
	}{
		{"per second", ratelimit.PerSecond(10, 20), true},
		{"per day", ratelimit.PerDay(1_000_000), true},
		{"zero quota", ratelimit.PerMinute(0), false},
		{"negative burst", ratelimit.PerSecond(1, -1), false},
		{"zero period", ratelimit.Every(0, 1), false},
		{"unknown algorithm", ratelimit.PerMinute(1).WithAlgorithm(9), false},
		{"burst overflows", ratelimit.Every(24*time.Hour, 1).WithBurst(1 << 40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
			}
		})
	}
}
