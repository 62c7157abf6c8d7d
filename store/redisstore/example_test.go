package redisstore_test

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// Keys and quotas shared by every instance of a service.
func Example() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := redisstore.New(client, redisstore.WithPrefix("myapi:"), redisstore.WithTimeout(50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}

	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	// Revocations and plan changes made by other instances reach this
	// Manager's cache at once.
	sub, err := store.APIKeys().Subscribe(ctx, keys.Invalidate)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close(ctx)

	quotas, err := quota.New(store.Quotas())
	if err != nil {
		log.Fatal(err)
	}
	_, _ = keys, quotas // use them in middleware
}

// Rate limits shared by every instance; while Redis is unreachable each
// instance keeps limiting on its own, with a memory store.
func ExampleStore_RateLimits_fallback() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	limits, err := ratelimit.NewFallbackStore(store.RateLimits(), ratelimit.NewMemoryStore(0))
	if err != nil {
		log.Fatal(err)
	}
	limiter, err := ratelimit.New(limits, []ratelimit.Limit{ratelimit.PerSecond(10, 20)})
	if err != nil {
		log.Fatal(err)
	}
	_ = limiter.Middleware // wrap your handler
	// limits.Fallbacks() and store.Stats().Errors are for your metrics.
}

// A throttle and a quota decided in one round trip.
func ExampleStore_TakeBoth() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	month := quota.Quota{Name: "month", Limit: 100_000, Period: quota.Month}
	start, end := month.Window(time.Now())
	d, err := store.TakeBoth(ctx,
		ratelimit.TakeRequest{Key: "key-id", Cost: 1, Counters: []ratelimit.Counter{
			{Bucket: "second", Limit: ratelimit.PerSecond(10, 20)},
		}},
		quota.Bucket{Quota: "month", Key: "key-id", Start: start.Unix(), End: end.Unix()}, 1, month.Limit)
	if err != nil {
		log.Fatal(err) // Redis failed: apply your failure policy
	}
	if !d.Allowed {
		log.Printf("refused: throttled=%t", !d.RateLimit.Allowed)
	}
}

// A Redis Cluster client works the same way.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	_ = store.Quotas()
}
