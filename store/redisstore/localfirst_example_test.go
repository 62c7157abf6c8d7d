package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// Throttle and quota for hot keys decided in process, with the counts
// synced to Redis every 5 ms: no round trip per request, at the price of
// the bounded over-admission LocalFirst documents.
func ExampleStore_LocalFirst() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	local, err := store.LocalFirst(redisstore.WithSyncInterval(5 * time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		// Push the counts not yet synced before the process exits.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := local.Close(ctx); err != nil {
			log.Print(err)
		}
	}()

	limiter, err := ratelimit.New(local.RateLimits(), []ratelimit.Limit{ratelimit.PerSecond(1000, 2000)})
	if err != nil {
		log.Fatal(err)
	}
	quotas, err := quota.New(local.Quotas(),
		quota.WithQuota(quota.Quota{Name: "month", Limit: 1_000_000, Period: quota.Month}))
	if err != nil {
		log.Fatal(err)
	}
	api := http.NotFoundHandler() // your handler
	_ = limiter.Middleware(quotas.Middleware(api))
	// local.Stats() counts syncs and failed syncs, for your metrics.
}
