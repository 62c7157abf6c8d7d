package redisstore_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// benchOps are the operations the benchmarks compare, on one client: a
// bare PING (the round trip every Redis store pays), go-redis/redis_rate
// (GCRA in Lua, throttle only), our throttle and our throttle + quota.
// The limits admit every call and make each take write its state, as a
// live limit does.
func benchOps(b *testing.B, c redis.UniversalClient) map[string]func() error {
	ctx := context.Background()
	s := newStore(b, c)
	req := ratelimit.TakeRequest{Key: "bench", Cost: 1, Counters: []ratelimit.Counter{
		{Bucket: "s", Limit: ratelimit.PerSecond(1_000_000, 1_000_000)},
	}}
	now := time.Now().Unix()
	qb := quota.Bucket{Quota: "month", Key: "bench", Start: now, End: now + 3600}
	rr := redis_rate.NewLimiter(c)
	rrLimit := redis_rate.Limit{Rate: 1_000_000, Burst: 1_000_000, Period: time.Second}
	rl := s.RateLimits()
	// Without a timer of the store's own, as redis_rate: the client's
	// timeouts bound each call.
	noTimer := newStore(b, c, redisstore.WithTimeout(0))
	return map[string]func() error{
		"ping":             func() error { return c.Ping(ctx).Err() },
		"redis_rate":       func() error { _, err := rr.Allow(ctx, "bench-rr", rrLimit); return err },
		"throttle":         func() error { _, err := rl.Take(ctx, req); return err },
		"throttle+quota":   func() error { _, err := s.TakeBoth(ctx, req, qb, 1, 1<<50); return err },
		"throttle-notimer": func() error { _, err := noTimer.RateLimits().Take(ctx, req); return err },
		"throttle+quota-notimer": func() error {
			_, err := noTimer.TakeBoth(ctx, req, qb, 1, 1<<50)
			return err
		},
	}
}

// BenchmarkDecision times each operation on its own. On a busy machine
// separate runs drift; BenchmarkInterleaved gives the ratios.
func BenchmarkDecision(b *testing.B) {
	ops := benchOps(b, standaloneClient(b))
	for _, name := range []string{"ping", "redis_rate", "throttle", "throttle-notimer", "throttle+quota"} {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInterleaved times ours against a baseline in alternating
// chunks of calls, so that noise from other processes hits both alike,
// and reports the median per-call times and the median ratio
// ("x-baseline"). ns/op is per chunk pair and means little.
func BenchmarkInterleaved(b *testing.B) {
	ops := benchOps(b, standaloneClient(b))
	pairs := []pair{
		{"throttle+quota", "ping"},
		{"throttle+quota-notimer", "ping"},
		{"throttle", "redis_rate"},
		{"throttle-notimer", "redis_rate"},
		{"throttle", "throttle-notimer"},
		{"throttle", "ping"},
		{"redis_rate", "ping"},
	}
	runPairs(b, ops, pairs)
}

// pair names an operation of ours and its baseline among a benchmark's
// operations.
type pair struct{ ours, baseline string }

// runPairs runs benchPair on each pair, from one goroutine ("serial")
// and from four ("parallel").
func runPairs(b *testing.B, ops map[string]func() error, pairs []pair) {
	for _, p := range pairs {
		for _, workers := range []int{1, 4} {
			name := p.ours + "-vs-" + p.baseline + "/serial"
			if workers > 1 {
				name = p.ours + "-vs-" + p.baseline + "/parallel"
			}
			b.Run(name, func(b *testing.B) { benchPair(b, workers, ops[p.baseline], ops[p.ours]) })
		}
	}
}

func benchPair(b *testing.B, workers int, baseline, ours func() error) {
	const chunk = 50
	var base, mine, ratios []float64
	for b.Loop() {
		x, y := timeChunk(b, workers, chunk, baseline), timeChunk(b, workers, chunk, ours)
		base, mine, ratios = append(base, x), append(mine, y), append(ratios, y/x)
	}
	b.ReportMetric(median(base), "baseline-ns/call")
	b.ReportMetric(median(mine), "ns/call")
	b.ReportMetric(median(ratios), "x-baseline")
}

// timeChunk returns the wall time per call of n calls of f spread over
// workers goroutines.
func timeChunk(b *testing.B, workers, n int, f func() error) float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for range n / workers {
				if err := f(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(time.Since(start)) / float64(n)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkServerTime reports what each operation costs the Redis server,
// from INFO commandstats: the median microseconds per call of its
// top-level command (PING or EVALSHA, which includes the commands a
// script runs), the commands a script runs per call, and ours against
// redis_rate (x-redis_rate). Each round resets the stats and times a
// chunk of calls of every operation in turn, so noise from other
// processes hits them alike. It runs its own redis-server so that nothing
// else is counted. ns/op is per round and means little.
func BenchmarkServerTime(b *testing.B) {
	ctx := context.Background()
	port := freePort(b)
	startRedis(b, port)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, ContextTimeoutEnabled: true})
	b.Cleanup(func() { c.Close() })
	ops := benchOps(b, c)
	names := []string{"ping", "redis_rate", "throttle", "throttle+quota"}
	for _, name := range names {
		if err := ops[name](); err != nil { // loads the script
			b.Fatal(err)
		}
	}
	const chunk = 200
	usec, cmds := map[string][]float64{}, map[string]float64{}
	for b.Loop() {
		for _, name := range names {
			if err := c.ConfigResetStat(ctx).Err(); err != nil {
				b.Fatal(err)
			}
			for range chunk {
				if err := ops[name](); err != nil {
					b.Fatal(err)
				}
			}
			top, stats := "evalsha", commandStats(b, c)
			if name == "ping" {
				top = "ping"
			}
			calls, nested := stats[top][0], 0.0
			for cmd, s := range stats {
				if cmd != top && cmd != "config|resetstat" {
					nested += s[0]
				}
			}
			usec[name] = append(usec[name], stats[top][1]/calls)
			cmds[name] = nested / calls
		}
	}
	for _, name := range names {
		b.ReportMetric(median(usec[name]), name+"-server-µs/call")
		b.ReportMetric(cmds[name], name+"-commands/call")
	}
	// Ours against redis_rate round by round, steadier than the medians.
	for _, name := range []string{"throttle", "throttle+quota"} {
		ratios := make([]float64, len(usec[name]))
		for i, u := range usec[name] {
			ratios[i] = u / usec["redis_rate"][i]
		}
		b.ReportMetric(median(ratios), name+"-x-redis_rate")
	}
}

// commandStats returns INFO commandstats as command → {calls, µs}.
func commandStats(b *testing.B, c redis.UniversalClient) map[string][2]float64 {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	stats := map[string][2]float64{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if name, ok = strings.CutPrefix(name, "cmdstat_"); !ok {
			continue
		}
		var s [2]float64
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			f, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "calls":
				s[0] = f
			case "usec":
				s[1] = f
			}
		}
		stats[name] = s
	}
	return stats
}
