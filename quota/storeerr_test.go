package quota

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timeoutStore fails every call the way a remote store's own per-call
// timeout does: with context.DeadlineExceeded, the caller's ctx still live.
type timeoutStore struct{ Store }

func (timeoutStore) Take(context.Context, Bucket, int64, int64) (Usage, error) {
	return Usage{}, context.DeadlineExceeded
}

func TestStoreTimeoutIsAStoreFailure(t *testing.T) {
	l, err := New(timeoutStore{NewMemoryStore()})
	require.NoError(t, err)
	q := Quota{Limit: 10, Period: Day}

	_, err = l.Take(context.Background(), "k", q, 1)
	assert.ErrorIs(t, err, ErrStore, "the store's own timeout is a store failure")

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = l.Take(ctx, "k", q, 1)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrStore), "the caller's deadline passes through unchanged: %v", err)
}
