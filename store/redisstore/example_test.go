package redisstore_test

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/quota"
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
