package redisstore

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestDeadlines runs in a synctest bubble, whose clock moves only when
// every goroutine in it waits: the timings it checks are exact.
func TestDeadlines(t *testing.T) { synctest.Test(t, testDeadlines) }

func testDeadlines(t *testing.T) {
	const grain = 20 * time.Millisecond
	d := &deadlines{grain: grain}
	t0 := time.Now().Add(50 * time.Millisecond)
	tests := []struct {
		name   string
		t      time.Time
		shared bool // the channel of t0
	}{
		{"same deadline", t0, true},
		{"within the grain", t0.Add(grain / 2), true},
		{"past the grain", t0.Add(grain + time.Millisecond), false},
		{"earlier than the current one", t0.Add(-time.Second), false},
	}
	first := d.after(t0)
	for _, tt := range tests {
		assert.Equal(t, tt.shared, d.after(tt.t) == first, tt.name)
	}

	ctx := &boundedCtx{Context: context.Background(), deadline: t0, done: first}
	assert.NoError(t, ctx.Err(), "before the deadline")
	<-ctx.Done()
	assert.Equal(t, grain, time.Since(t0), "closed one grain after the deadline")
	assert.Equal(t, context.DeadlineExceeded, ctx.Err())

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ctx = &boundedCtx{Context: cancelled, deadline: t0, done: d.after(time.Now().Add(time.Hour))}
	assert.Equal(t, context.Canceled, ctx.Err(), "the caller's error first")
}
