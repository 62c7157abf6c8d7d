package sqlstore_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/quota/quotatest"
	"github.com/tollgate/tollgate/store/sqlstore"
)

func TestQuotaStoreConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			quotatest.Run(t, func(t *testing.T) quota.Store { return newStore(t, db).Quotas() })
		})
	}
}

// TestQuotaTwoPoolsNeverOverAdmit has two Stores on two *sql.DB pools,
// as two instances of a service would, take from one quota at once: the
// database alone keeps the count.
func TestQuotaTwoPoolsNeverOverAdmit(t *testing.T) {
	const workers, each, limit = 8, 60, 301
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			a := newStore(t, db)
			b, err := sqlstore.New(db.open(t), d, sqlstore.WithTablePrefix(a.TablePrefix()))
			require.NoError(t, err)
			bucket := quota.Bucket{Quota: "daily", Key: "k1", Start: 1000, End: 2000, Initial: 1}
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for w := range workers {
				s := []*sqlstore.Store{a, b}[w%2].Quotas()
				wg.Go(func() {
					for range each {
						u, err := s.Take(context.Background(), bucket, 2, limit)
						if !assert.NoError(t, err) {
							return
						}
						if u.Admitted {
							assert.LessOrEqual(t, u.Used, int64(limit))
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64(150), admitted.Load(), "1 + 150×2 = 301")
			u, err := b.Quotas().Get(context.Background(), bucket)
			require.NoError(t, err)
			assert.Equal(t, int64(limit), u.Used)
		})
	}
}

func TestQuotaDeleteEnded(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			qs := newStore(t, newDatabase(t, d)).Quotas()
			ctx := context.Background()
			day := int64(86400)
			buckets := []quota.Bucket{
				{Quota: "q", Key: "old", Start: 0, End: day},
				{Quota: "q", Key: "edge", Start: day, End: 2 * day},
				{Quota: "q", Key: "live", Start: 2 * day, End: 3 * day},
				{Quota: "q", Key: "forever"},
			}
			for _, b := range buckets {
				require.NoError(t, qs.Set(ctx, b, 5))
			}
			n, err := qs.DeleteEnded(ctx, time.Unix(2*day, 0))
			require.NoError(t, err)
			assert.Equal(t, int64(2), n)
			for i, b := range buckets {
				u, err := qs.Get(ctx, b)
				require.NoError(t, err)
				assert.Equal(t, map[bool]int64{true: 0, false: 5}[i < 2], u.Used, b.Key)
			}
		})
	}
}

// TestQuotaSetThenTakeBelowInitial covers a counter set below the
// bucket's Initial: a Take that Initial could not pay must still be
// counted against the stored value.
func TestQuotaSetThenTakeBelowInitial(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			qs := newStore(t, newDatabase(t, d)).Quotas()
			ctx := context.Background()
			b := quota.Bucket{Quota: "q", Key: "k", Start: 0, End: 10, Initial: 9}
			u, err := qs.Take(ctx, b, 5, 10)
			require.NoError(t, err)
			assert.Equal(t, quota.Usage{Used: 9}, u, "refused, and no row made")
			require.NoError(t, qs.Set(ctx, b, 0))
			u, err = qs.Take(ctx, b, 5, 10)
			require.NoError(t, err)
			assert.Equal(t, quota.Usage{Used: 5, Admitted: true}, u)
			u, err = qs.Take(ctx, b, 0, 4)
			require.NoError(t, err)
			assert.Equal(t, quota.Usage{Used: 5}, u, "a free take over the limit is refused")
		})
	}
}

// TestQuotaMySQLFoundRowsFailsSafe opens MySQL with clientFoundRows, with
// which rows matched count as affected: a Take the guard refused must
// fail rather than be admitted.
func TestQuotaMySQLFoundRowsFailsSafe(t *testing.T) {
	db := newDatabase(t, sqlstore.MySQL)
	db.dsn += map[bool]string{true: "&", false: "?"}[strings.Contains(db.dsn, "?")] + "clientFoundRows=true"
	qs := newStore(t, db).Quotas()
	ctx := context.Background()
	b := quota.Bucket{Quota: "q", Key: "k", End: 10}
	u, err := qs.Take(ctx, b, 3, 5)
	require.NoError(t, err)
	assert.Equal(t, quota.Usage{Used: 3, Admitted: true}, u)
	_, err = qs.Take(ctx, b, 3, 5)
	assert.Error(t, err, "refused, but counted as found")
	u, err = qs.Get(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, int64(3), u.Used)
}

// TestQuotaNewCounterAfterUpdates makes a counter on a connection that
// just updated another: on MySQL the insert must not read the update's
// LAST_INSERT_ID as its own.
func TestQuotaNewCounterAfterUpdates(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := newStore(t, newDatabase(t, d))
			s.DB().SetMaxOpenConns(1)
			qs, ctx := s.Quotas(), context.Background()
			old, fresh := quota.Bucket{Quota: "q", Key: "old", End: 10}, quota.Bucket{Quota: "q", Key: "new", End: 10}
			for range 3 {
				_, err := qs.Take(ctx, old, 2, 5)
				require.NoError(t, err)
			}
			u, err := qs.Take(ctx, fresh, 1, 5)
			require.NoError(t, err)
			assert.Equal(t, quota.Usage{Used: 1, Admitted: true}, u)
		})
	}
}
