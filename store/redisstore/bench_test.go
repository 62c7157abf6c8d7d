package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// BenchmarkDecision measures a request's decision against a bare PING on
// the same client (the round trip every Redis store pays) and against
// go-redis/redis_rate (GCRA in Lua, throttle only). Read the results as
// ratios to ping.
func BenchmarkDecision(b *testing.B) {
	ctx := context.Background()
	c := standaloneClient(b)
	s := newStore(b, c)
	req := ratelimit.TakeRequest{Key: "bench", Cost: 1, Counters: []ratelimit.Counter{
		{Bucket: "s", Limit: ratelimit.PerSecond(1<<30, 1<<30)},
	}}
	qb := quota.Bucket{Quota: "month", Key: "bench", Start: time.Now().Unix(), End: time.Now().Unix() + 3600}
	rr := redis_rate.NewLimiter(c)
	rrLimit := redis_rate.PerSecond(1 << 30)
	cases := []struct {
		name string
		op   func() error
	}{
		{"ping", func() error { return c.Ping(ctx).Err() }},
		{"redis_rate", func() error { _, err := rr.Allow(ctx, "bench-rr", rrLimit); return err }},
		{"throttle", func() error { _, err := s.RateLimits().Take(ctx, req); return err }},
		{"throttle+quota", func() error { _, err := s.TakeBoth(ctx, req, qb, 1, 1<<50); return err }},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.op(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bc.op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
