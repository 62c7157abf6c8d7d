package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
	"github.com/tollgate/tollgate/usage/usagetest"
)

func TestUsageStoreConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			usagetest.Run(t, func(t *testing.T) usage.Store { return newStore(t, db).Usage() })
		})
	}
}

// usageRows returns n rows for distinct routes of one key.
func usageRows(n int, start time.Time) []usage.Row {
	rows := make([]usage.Row, n)
	for i := range rows {
		rows[i] = usage.Row{
			Key: "k1", Plan: "gold", Route: fmt.Sprintf("GET /r%d", i), Method: "GET", Start: start,
			Counters: usage.Counters{Requests: 2, BytesOut: 100, Latency: time.Millisecond},
		}
	}
	return rows
}

// TestUsageBatchLargerThanOneStatement applies a batch that takes
// several statements, twice: it counts once, all of it.
func TestUsageBatchLargerThanOneStatement(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			us := newStore(t, newDatabase(t, d)).Usage()
			ctx := context.Background()
			start := time.Unix(3600, 0).UTC()
			b := usage.Batch{ID: "big", Rows: usageRows(sqlstore.MaxUsageRows+7, start)}
			for want := range []bool{false, true} {
				res, err := us.Apply(ctx, b)
				require.NoError(t, err)
				assert.Equal(t, want == 1, res.Duplicate)
			}
			got, err := us.Query(ctx, usage.Filter{Key: "k1", From: start, To: start.Add(time.Hour)})
			require.NoError(t, err)
			require.Len(t, got.Rows, len(b.Rows))
			for _, r := range got.Rows {
				assert.Equal(t, int64(2), r.Requests)
			}
		})
	}
}

func TestUsageForgetBatches(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1_000_000, 0))
			us := newStore(t, newDatabase(t, d), sqlstore.WithClock(clk.Now)).Usage()
			ctx := context.Background()
			rows := usageRows(1, time.Unix(3600, 0))
			_, err := us.Apply(ctx, usage.Batch{ID: "old", Rows: rows})
			require.NoError(t, err)
			clk.Advance(time.Hour)
			_, err = us.Apply(ctx, usage.Batch{ID: "new", Rows: rows})
			require.NoError(t, err)
			n, err := us.ForgetBatches(ctx, clk.Now().Add(-time.Minute))
			require.NoError(t, err)
			assert.Equal(t, int64(1), n)
			for id, dup := range map[string]bool{"old": false, "new": true} {
				res, err := us.Apply(ctx, usage.Batch{ID: id})
				require.NoError(t, err)
				assert.Equal(t, dup, res.Duplicate, id)
			}
		})
	}
}
