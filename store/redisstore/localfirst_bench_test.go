package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// localFirstOps are the local-first decisions and their baselines on one
// client: a bare PING, and the one-round-trip throttle + quota
// (Store.TakeBoth) for reference. The local-first stores sync every 5 ms
// (the default) in the background, as in production. The limits admit
// every call.
func localFirstOps(b *testing.B, c redis.UniversalClient) map[string]func() error {
	ctx := context.Background()
	s := newStore(b, c)
	lf, err := s.LocalFirst()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := lf.Close(ctx); err != nil {
			b.Error(err)
		}
	})
	limit := ratelimit.PerSecond(1<<30, 1<<30)
	counters := []ratelimit.Counter{{Bucket: "s", Limit: limit}}
	now := time.Now().Unix()
	qb := quota.Bucket{Quota: "month", Key: "bench", Start: now, End: now + 3600}
	rl, q := lf.RateLimits(), lf.Quotas()
	throttle := func() error {
		req := ratelimit.TakeRequest{Key: "bench", Cost: 1, Now: time.Now(), Counters: counters}
		_, err := rl.Take(ctx, req)
		return err
	}
	return map[string]func() error{
		"ping":           func() error { return c.Ping(ctx).Err() },
		"local-throttle": throttle,
		"local-throttle+quota": func() error {
			if err := throttle(); err != nil {
				return err
			}
			_, err := q.Take(ctx, qb, 1, 1<<50)
			return err
		},
		"throttle+quota": func() error {
			req := ratelimit.TakeRequest{Key: "bench", Cost: 1, Counters: counters}
			_, err := s.TakeBoth(ctx, req, qb, 1, 1<<50)
			return err
		},
	}
}

// BenchmarkLocalFirstInterleaved times local-first decisions against a
// PING on the same client, in the interleaved harness of
// BenchmarkInterleaved ("x-baseline" is the median ratio).
func BenchmarkLocalFirstInterleaved(b *testing.B) {
	ops := localFirstOps(b, standaloneClient(b))
	runPairs(b, ops, []pair{
		{"local-throttle", "ping"},
		{"local-throttle+quota", "ping"},
		{"local-throttle+quota", "throttle+quota"},
	})
}

// BenchmarkLocalFirstDecision times one local-first decision and reports
// its allocations (none once the key is held).
func BenchmarkLocalFirstDecision(b *testing.B) {
	ops := localFirstOps(b, standaloneClient(b))
	for _, name := range []string{"local-throttle", "local-throttle+quota"} {
		op := ops[name]
		if err := op(); err != nil { // hold the key and bucket
			b.Fatal(err)
		}
		b.Run(name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
