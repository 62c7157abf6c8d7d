package redisstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// backend is a Redis deployment the tests run against.
type backend struct {
	name      string
	newClient func(t testing.TB) redis.UniversalClient
}

var backends = []backend{
	{"standalone", standaloneClient},
	{"cluster", clusterClient},
}

func standaloneClient(t testing.TB) redis.UniversalClient {
	opt, err := redis.ParseURL(testkit.RedisURL(t))
	require.NoError(t, err)
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

func clusterClient(t testing.TB) redis.UniversalClient {
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: testkit.RedisClusterAddrs(t), ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// forEach runs fn once per backend, as a subtest.
func forEach(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// testPrefix returns a key prefix no other test uses, and deletes every
// key under it when the test ends.
func testPrefix(t testing.TB, c redis.UniversalClient) string {
	prefix := "tgtest:" + rand.Text()[:10] + ":"
	t.Cleanup(func() { deleteKeys(t, c, prefix) })
	return prefix
}

func deleteKeys(t testing.TB, c redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	del := func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := node.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	switch c := c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, del)
	case *redis.Client:
		err = del(ctx, c)
	}
	if err != nil {
		t.Errorf("cleaning up %s*: %v", prefix, err)
	}
}

// newStore returns a Store over c with a fresh prefix and a timeout
// generous enough for a loaded CI machine running -race.
func newStore(t testing.TB, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	return storeAt(t, c, testPrefix(t, c), opts...)
}

// storeAt is newStore with a given prefix, for two stores that share data.
func storeAt(t testing.TB, c redis.UniversalClient, prefix string, opts ...redisstore.Option) *redisstore.Store {
	opts = append([]redisstore.Option{redisstore.WithPrefix(prefix), redisstore.WithTimeout(2 * time.Second)}, opts...)
	s, err := redisstore.New(c, opts...)
	require.NoError(t, err)
	return s
}
