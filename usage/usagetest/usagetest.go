package usagetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/usage"
)

// base is a bucket start every clause uses; stores must keep it exactly.
var base = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) usage.Store) {
	t.Helper()
	clauses := []struct {
		name string
		run  func(t *testing.T, s usage.Store)
	}{
		{"ApplyThenQuery", applyThenQuery},
		{"SameBucketAdds", sameBucketAdds},
		{"DuplicateBatchIsNoop", duplicateBatchIsNoop},
		{"EmptyBatch", emptyBatch},
		{"FilterByKey", filterByKey},
		{"RangeHalfOpen", rangeHalfOpen},
		{"NothingFoundIsNotError", nothingFound},
		{"ConcurrentApply", concurrentApply},
		{"CanceledContext", canceledContext},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

func row(key, route string, start time.Time, requests int64) usage.Row {
	return usage.Row{
		Key: key, Plan: "gold", Route: route, Method: "GET", Start: start,
		Counters: usage.Counters{
			Requests: requests, ClientErrors: 1, ServerErrors: 2,
			BytesIn: 10 * requests, BytesOut: 100 * requests, Latency: time.Duration(requests) * time.Millisecond,
		},
	}
}

func apply(t *testing.T, s usage.Store, id string, rows ...usage.Row) usage.ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), usage.Batch{ID: id, Rows: rows})
	require.NoError(t, err)
	return res
}

func query(t *testing.T, s usage.Store, f usage.Filter) []usage.Row {
	t.Helper()
	res, err := s.Query(context.Background(), f)
	require.NoError(t, err)
	slices.SortFunc(res.Rows, func(a, b usage.Row) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Key+a.Route, b.Key+b.Route)
	})
	for i := range res.Rows {
		res.Rows[i].Start = res.Rows[i].Start.UTC()
	}
	return res.Rows
}

func all() usage.Filter {
	return usage.Filter{From: base.Add(-48 * time.Hour), To: base.Add(48 * time.Hour)}
}

// applyThenQuery: every field of an applied row comes back.
func applyThenQuery(t *testing.T, s usage.Store) {
	want := []usage.Row{row("k1", "GET /a", base, 3), row("k2", "GET /b", base.Add(time.Hour), 5)}
	res := apply(t, s, "b1", want...)
	assert.False(t, res.Duplicate)
	assert.Equal(t, want, query(t, s, all()))
}

// sameBucketAdds: rows for one bucket from different batches (or twice in
// one batch) add up.
func sameBucketAdds(t *testing.T, s usage.Store) {
	apply(t, s, "b1", row("k1", "GET /a", base, 3), row("k1", "GET /a", base, 4))
	apply(t, s, "b2", row("k1", "GET /a", base, 5))
	got := query(t, s, all())
	require.Len(t, got, 1)
	want := row("k1", "GET /a", base, 12)
	want.ClientErrors, want.ServerErrors = 3, 6
	assert.Equal(t, want, got[0])
}

// duplicateBatchIsNoop: a batch ID applied before changes nothing and
// reports Duplicate, however its rows differ.
func duplicateBatchIsNoop(t *testing.T, s usage.Store) {
	apply(t, s, "b1", row("k1", "GET /a", base, 3))
	res := apply(t, s, "b1", row("k1", "GET /a", base, 3))
	assert.True(t, res.Duplicate)
	res = apply(t, s, "b1", row("k9", "GET /z", base, 7))
	assert.True(t, res.Duplicate)
	assert.Equal(t, []usage.Row{row("k1", "GET /a", base, 3)}, query(t, s, all()))
}

// emptyBatch: a batch without rows is accepted.
func emptyBatch(t *testing.T, s usage.Store) {
	res := apply(t, s, "b1")
	assert.False(t, res.Duplicate)
	assert.Empty(t, query(t, s, all()))
}

// filterByKey: a key filter returns that key's rows only.
func filterByKey(t *testing.T, s usage.Store) {
	apply(t, s, "b1", row("k1", "GET /a", base, 1), row("k2", "GET /a", base, 2), row("k1", "GET /b", base, 3))
	f := all()
	f.Key = "k1"
	got := query(t, s, f)
	require.Len(t, got, 2)
	for _, r := range got {
		assert.Equal(t, "k1", r.Key)
	}
}

// rangeHalfOpen: From is inclusive, To exclusive.
func rangeHalfOpen(t *testing.T, s usage.Store) {
	apply(t, s, "b1", row("k1", "GET /a", base, 1), row("k1", "GET /a", base.Add(time.Hour), 2),
		row("k1", "GET /a", base.Add(2*time.Hour), 3))
	got := query(t, s, usage.Filter{From: base.Add(time.Hour), To: base.Add(2 * time.Hour)})
	require.Len(t, got, 1)
	assert.EqualValues(t, 2, got[0].Requests)
}

// nothingFound: an empty result is a value, not an error.
func nothingFound(t *testing.T, s usage.Store) {
	f := all()
	f.Key = "nobody"
	assert.Empty(t, query(t, s, f))
}

// concurrentApply: concurrent batches all count, exactly once each.
func concurrentApply(t *testing.T, s usage.Store) {
	const workers, batches = 8, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				id := fmt.Sprintf("w%d-b%d", w, b)
				_, err := s.Apply(context.Background(), usage.Batch{ID: id, Rows: []usage.Row{row("k1", "GET /a", base, 1)}})
				assert.NoError(t, err)
				_, err = s.Apply(context.Background(), usage.Batch{ID: id, Rows: []usage.Row{row("k1", "GET /a", base, 1)}})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	got := query(t, s, all())
	require.Len(t, got, 1)
	assert.EqualValues(t, workers*batches, got[0].Requests)
}

// canceledContext: a canceled context's error passes through, and the
// batch is not applied.
func canceledContext(t *testing.T, s usage.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Apply(ctx, usage.Batch{ID: "b1", Rows: []usage.Row{row("k1", "GET /a", base, 1)}})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Query(ctx, all())
	require.ErrorIs(t, err, context.Canceled)
	res := apply(t, s, "b1", row("k1", "GET /a", base, 1))
	assert.False(t, res.Duplicate, "a batch that failed must not be remembered as applied")
}
