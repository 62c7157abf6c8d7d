package ratelimit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate/tollgate/ratelimit"
)

// TestTakeRequestApply checks the arithmetic a remote store reuses: all
// counters or none, and the result of the tightest.
func TestTakeRequestApply(t *testing.T) {
	wide, narrow := ratelimit.PerMinute(10).Named("wide"), ratelimit.PerMinute(2).Named("narrow")
	req := ratelimit.TakeRequest{Key: "k", Cost: 1, Now: t0, Counters: []ratelimit.Counter{
		{Bucket: "w", Limit: wide}, {Bucket: "n", Limit: narrow},
	}}
	states := make([]ratelimit.State, 2)
	for want := int64(1); want >= 0; want-- {
		r := req.Apply(states)
		assert.True(t, r.Allowed)
		assert.Equal(t, "narrow", r.Limit.Name)
		assert.Equal(t, want, r.Remaining)
	}
	before := append([]ratelimit.State(nil), states...)
	r := req.Apply(states)
	assert.False(t, r.Allowed)
	assert.Equal(t, "narrow", r.Limit.Name)
	assert.Positive(t, r.RetryAfter)
	assert.Equal(t, before, states, "a refusal changes no state")
}
