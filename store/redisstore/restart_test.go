package redisstore_test

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/quota"
)

// TestServerRestart runs a Redis server of its own, stops it under the
// store and starts it again, empty: calls fail while it is down and work
// after, on the same client, with the scripts loaded again (NOSCRIPT).
func TestServerRestart(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	stop := startRedis(t, port)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := storeAt(t, c, "t:").Quotas() // a private server: nothing to clean up
	b := quota.Bucket{Quota: "q", Key: "k"}

	u, err := s.Take(ctx, b, 1, 10)
	require.NoError(t, err)
	assert.Equal(t, quota.Usage{Used: 1, Admitted: true}, u)

	stop()
	_, err = s.Take(ctx, b, 1, 10)
	require.Error(t, err, "the server is down")
	assert.Contains(t, err.Error(), "redisstore: quota take")

	startRedis(t, port)
	u, err = s.Take(ctx, b, 1, 10)
	require.NoError(t, err, "the same client and store work again")
	assert.Equal(t, quota.Usage{Used: 1, Admitted: true}, u, "a new, empty server")
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// startRedis runs redis-server on port until the returned func or the end
// of the test, and returns once it accepts connections.
func startRedis(t testing.TB, port string) (stop func()) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		require.True(t, ok, "redis-server on port %s exited before it was ready", port)
	case <-time.After(10 * time.Second):
		t.Fatalf("redis-server on port %s not ready after 10s", port)
	}
	return stop
}
