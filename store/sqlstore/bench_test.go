package sqlstore_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
)

// candidate is a store a benchmark runs against.
type candidate[T any] struct {
	name string
	new  func(b *testing.B) T
}

// candidates returns the memory store, the baseline, then a store on each
// database: view picks the package's store from a new Store.
func candidates[T any](memory func() T, view func(*sqlstore.Store) T) []candidate[T] {
	stores := []candidate[T]{{"memory", func(*testing.B) T { return memory() }}}
	for _, d := range dialects {
		stores = append(stores, candidate[T]{d.String(), func(b *testing.B) T { return view(newStore(b, newDatabase(b, d))) }})
	}
	return stores
}

// BenchmarkKeyStore measures the reads a verification cache miss makes,
// and an optimistic update, on each database, beside the in-memory store
// as the baseline.
func BenchmarkKeyStore(b *testing.B) {
	stores := candidates(func() apikey.Store { return apikey.NewMemoryStore() },
		func(s *sqlstore.Store) apikey.Store { return s.APIKeys() })
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) { benchKeyStore(b, s.new(b)) })
	}
}

func benchKeyStore(b *testing.B, s apikey.Store) {
	ctx := context.Background()
	k := sampleKey()
	k.Scopes, k.Metadata = []string{"read", "write"}, map[string]string{"team": "payments"}
	if err := s.Put(ctx, k); err != nil {
		b.Fatal(err)
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, k.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetByHash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.GetByHash(ctx, k.Hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetByHashParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetByHash(ctx, k.Hash); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Put", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.Version++
			if err := s.Put(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQuotaTake measures one check-and-count on each database,
// beside the in-memory store as the baseline.
func BenchmarkQuotaTake(b *testing.B) {
	stores := candidates(func() quota.Store { return quota.NewMemoryStore() },
		func(s *sqlstore.Store) quota.Store { return s.Quotas() })
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			qs := s.new(b)
			ctx := context.Background()
			bucket := quota.Bucket{Quota: "daily", Key: "k1", Start: 0, End: 86400}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := qs.Take(ctx, bucket, 1, math.MaxInt32); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUsageFlush applies batches of 500 distinct rows with one
// statement per batch (Apply), against two baselines: one statement per
// row in one transaction, and one autocommitted statement per row (what
// a store without batches does). rows/s reads as the ratio.
func BenchmarkUsageFlush(b *testing.B) {
	const n = 500
	for _, d := range dialects {
		b.Run(d.String(), func(b *testing.B) {
			us := newStore(b, newDatabase(b, d)).Usage()
			ctx := context.Background()
			rows := usageRows(n, time.Unix(3600, 0))
			apply := map[string]func(usage.Batch) error{
				"rowByRow":   func(bt usage.Batch) error { return us.ApplyRowByRow(ctx, bt) },
				"autocommit": func(bt usage.Batch) error { return us.ApplyEachRow(ctx, bt) },
				"batched":    func(bt usage.Batch) error { _, err := us.Apply(ctx, bt); return err },
			}
			for _, name := range []string{"autocommit", "rowByRow", "batched"} {
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						i++
						if err := apply[name](usage.Batch{ID: fmt.Sprint(name, i), Rows: rows}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(n*i)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// BenchmarkRateLimitTake measures one take from a per-minute limit on
// each database, beside ratelimit's memory store as the baseline.
func BenchmarkRateLimitTake(b *testing.B) {
	stores := candidates(func() ratelimit.Store { return ratelimit.NewMemoryStore(0) },
		func(s *sqlstore.Store) ratelimit.Store { return s.RateLimits() })
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			rs := s.new(b)
			ctx := context.Background()
			req := ratelimit.TakeRequest{Key: "k1", Cost: 1, Now: time.Unix(1_000_000, 0),
				Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(math.MaxInt32)}}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rs.Take(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTimeout measures what the bound of WithTimeout costs the
// quickest operations (SQLite's key read and quota take), against the
// same store with the bound off as the baseline. The caller's context can
// be cancelled, as an HTTP request's can: database/sql and the driver
// then watch it whether or not the Store bounds it.
func BenchmarkTimeout(b *testing.B) {
	db := newDatabase(b, sqlstore.SQLite)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, timeout := range []time.Duration{0, 5 * time.Second} {
		s := newStore(b, db, sqlstore.WithTimeout(timeout))
		k := sampleKey()
		if err := s.APIKeys().Put(ctx, k); err != nil {
			b.Fatal(err)
		}
		bucket := quota.Bucket{Quota: "q", Key: "k", Start: 0, End: math.MaxInt64}
		b.Run(fmt.Sprintf("timeout=%v/GetKey", timeout), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.APIKeys().Get(ctx, k.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("timeout=%v/QuotaTake", timeout), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Quotas().Take(ctx, bucket, 1, math.MaxInt64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
