package redisstore_test

import (
	"context"
	"crypto/rand"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/quota"
)

// TestKilledConnectionsMidLoad kills the store's connections over and
// over while workers take quota: calls fail with store errors (never a
// panic, never a wrong admission) and succeed again once the kills stop.
func TestKilledConnectionsMidLoad(t *testing.T) {
	ctx := context.Background()
	name := "tgtest-" + rand.Text()[:8]
	opt, err := redis.ParseURL(testkit.RedisURL(t))
	require.NoError(t, err)
	opt.ContextTimeoutEnabled, opt.ClientName, opt.MaxRetries = true, name, -1 // no retries: see every failure
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() }) // after the prefix cleanup, which uses c
	admin := standaloneClient(t)
	st := newStore(t, c)
	s := st.Quotas()
	b := quota.Bucket{Quota: "q", Key: "hot", Start: time.Now().Unix() - 1, End: time.Now().Unix() + 3600}
	const limit, workers, each = 400, 8, 2000

	var admitted, failed, done atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for range each { // bounded, whatever happens
				select {
				case <-stop:
					return
				default:
				}
				u, err := s.Take(ctx, b, 1, limit)
				done.Add(1)
				switch {
				case err != nil:
					assert.Contains(t, err.Error(), "redisstore: quota take")
					failed.Add(1)
				case u.Admitted:
					admitted.Add(1)
				}
			}
		})
	}
	killed := 0
	for range 20 {
		// Kill only after the workers have made progress on new connections.
		for last := done.Load(); done.Load() < min(last+20, workers*each); {
			runtime.Gosched()
		}
		killed += killClients(t, admin, name)
	}
	close(stop)
	wg.Wait()

	t.Logf("killed %d connections: %d takes failed, %d admitted", killed, failed.Load(), admitted.Load())
	require.Positive(t, killed, "the test killed nothing")
	assert.Equal(t, uint64(failed.Load()), st.Stats().Errors, "every failure counted")
	u, err := s.Get(ctx, b)
	require.NoError(t, err, "the store recovers without a restart")
	assert.LessOrEqual(t, u.Used, int64(limit), "never over the limit")
	assert.LessOrEqual(t, admitted.Load(), u.Used, "every admission was counted")
	_, err = s.Take(ctx, b, 1, limit+1)
	assert.NoError(t, err)
}

// killClients kills every connection named name and returns how many.
func killClients(t *testing.T, admin redis.UniversalClient, name string) int {
	t.Helper()
	list, err := admin.ClientList(context.Background()).Result()
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if admin.Do(context.Background(), "CLIENT", "KILL", "ID", id).Err() == nil {
					n++
				}
			}
		}
	}
	return n
}
