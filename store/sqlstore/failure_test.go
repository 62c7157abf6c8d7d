package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/sqlstore"
)

func TestOptionsRefuseBadFailureSettings(t *testing.T) {
	db := newDatabase(t, sqlstore.SQLite).open(t)
	tests := []struct {
		name string
		opt  sqlstore.Option
		ok   bool
	}{
		{"timeout", sqlstore.WithTimeout(time.Second), true},
		{"no timeout", sqlstore.WithTimeout(0), true},
		{"negative timeout", sqlstore.WithTimeout(-time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sqlstore.New(db, sqlstore.SQLite, tt.opt)
			assert.Equal(t, tt.ok, err == nil, "err = %v", err)
		})
	}
}

// holdLocks locks every row of the Store's tables named (on SQLite, the
// whole database for writing) in a transaction on a pool of its own,
// until the test ends, as a stuck transaction of another process would.
func holdLocks(t *testing.T, d database, s *sqlstore.Store, tables ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := d.open(t).Conn(ctx)
	require.NoError(t, err)
	if d.dialect == sqlstore.SQLite {
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = conn.ExecContext(ctx, "ROLLBACK"); conn.Close() })
		return
	}
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(); conn.Close() })
	for _, table := range tables {
		rows, err := tx.QueryContext(ctx, "SELECT * FROM "+s.TablePrefix()+table+" FOR UPDATE")
		require.NoError(t, err)
		rows.Close()
	}
}

var (
	lockedBucket = quota.Bucket{Quota: "q", Key: "k", Start: 1000, End: 1000 + 3600}
	lockedTake   = ratelimit.TakeRequest{Key: "k", Cost: 1, Now: time.Unix(1_000_000, 0),
		Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(100)}}}
)

// lockedStore returns a Store with the given options whose quota and
// rate-limit rows (made by a first take) another transaction holds locked.
func lockedStore(t *testing.T, d sqlstore.Dialect, opts ...sqlstore.Option) *sqlstore.Store {
	db := newDatabase(t, d)
	s := newStore(t, db, opts...)
	ctx := context.Background()
	_, err := s.Quotas().Take(ctx, lockedBucket, 1, 100)
	require.NoError(t, err)
	_, err = s.RateLimits().Take(ctx, lockedTake)
	require.NoError(t, err)
	holdLocks(t, db, s, "quota_usage", "ratelimit_counters")
	return s
}

// lockedOps are writes that wait for the rows lockedStore locks.
var lockedOps = []struct {
	name string
	run  func(context.Context, *sqlstore.Store) error
	is   error // what a failure of the database also wraps
}{
	{"quota take", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Quotas().Take(ctx, lockedBucket, 1, 100)
		return err
	}, sqlstore.ErrTimeout},
	{"rate limit take", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.RateLimits().Take(ctx, lockedTake)
		return err
	}, ratelimit.ErrStoreUnavailable},
}

// TestTimeoutOnLockedRow: a write stuck behind another transaction's lock
// fails after the Store's timeout with a store error, counted, not with a
// context error the caller would take for its own.
func TestTimeoutOnLockedRow(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := lockedStore(t, d, sqlstore.WithTimeout(timeout))
			for i, op := range lockedOps {
				err := assertTimesOut(t, s, timeout, op.name, op.run)
				assert.ErrorIs(t, err, op.is, op.name)
				assert.Equal(t, sqlstore.Stats{Errors: uint64(i + 1)}, s.Stats(), op.name)
			}
		})
	}
}

// assertTimesOut runs op and checks that it failed after the Store's
// timeout, and soon after, with ErrTimeout and not a context error.
func assertTimesOut(t *testing.T, s *sqlstore.Store, timeout time.Duration, name string, op func(context.Context, *sqlstore.Store) error) error {
	t.Helper()
	start := time.Now()
	err := op(context.Background(), s)
	took := time.Since(start)
	assert.ErrorIs(t, err, sqlstore.ErrTimeout, name)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, name)
	assert.GreaterOrEqual(t, took, timeout, name)
	assert.Less(t, took, 10*timeout, "%s: fails fast", name)
	return err
}

// TestCallerContextPassesThrough: when the caller's own context ends
// first, its error comes back unchanged and is neither counted nor sent
// to a ratelimit.FallbackStore's local store.
func TestCallerContextPassesThrough(t *testing.T) {
	ended := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := lockedStore(t, d, sqlstore.WithTimeout(time.Minute))
			fb, err := ratelimit.NewFallbackStore(s.RateLimits(), ratelimit.NewMemoryStore(10))
			require.NoError(t, err)
			for _, e := range ended {
				for _, op := range lockedOps {
					ctx, cancel := e.ctx()
					err := op.run(ctx, s)
					cancel()
					assert.Equal(t, e.want, err, "%s, %s", op.name, e.name)
				}
				ctx, cancel := e.ctx()
				_, err := fb.Take(ctx, lockedTake)
				cancel()
				assert.Equal(t, e.want, err, "fallback store, %s", e.name)
			}
			assert.Equal(t, sqlstore.Stats{}, s.Stats())
			assert.Zero(t, fb.Fallbacks())
		})
	}
}

// TestFallbackWhileDatabaseDown closes the pool under a Store wrapped in
// a ratelimit.FallbackStore: rate limits are taken from the local store,
// counted by both, and keep limiting.
func TestFallbackWhileDatabaseDown(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			tables := newStore(t, db) // the tables, dropped through a pool that stays open
			s, err := sqlstore.New(db.open(t), d, sqlstore.WithTablePrefix(tables.TablePrefix()))
			require.NoError(t, err)
			fb, err := ratelimit.NewFallbackStore(s.RateLimits(), ratelimit.NewMemoryStore(10))
			require.NoError(t, err)
			ctx := context.Background()
			req := ratelimit.TakeRequest{Key: "k", Cost: 1, Now: time.Unix(1_000_000, 0),
				Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(2)}}}
			r, err := fb.Take(ctx, req)
			require.NoError(t, err)
			require.True(t, r.Allowed)
			require.Equal(t, sqlstore.Stats{}, s.Stats(), "the database answered")
			require.Zero(t, fb.Fallbacks())

			require.NoError(t, s.DB().Close())
			var allowed []bool
			for range 3 {
				r, err := fb.Take(ctx, req)
				require.NoError(t, err)
				allowed = append(allowed, r.Allowed)
			}
			assert.Equal(t, []bool{true, true, false}, allowed, "the local store counts on its own")
			assert.Equal(t, uint64(3), fb.Fallbacks())
			assert.Equal(t, sqlstore.Stats{Errors: 3}, s.Stats())

			_, err = s.Quotas().Take(ctx, lockedBucket, 1, 10)
			assert.Error(t, err, "quotas have no fallback")
			assert.Equal(t, sqlstore.Stats{Errors: 4}, s.Stats())

			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err = fb.Take(cancelled, req)
			assert.True(t, errors.Is(err, context.Canceled) && err == context.Canceled, "err = %v", err)
			assert.Equal(t, uint64(3), fb.Fallbacks())
			assert.Equal(t, sqlstore.Stats{Errors: 4}, s.Stats(), "a cancelled take is not a failure")
		})
	}
}
