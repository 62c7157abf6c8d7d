package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/redisstore"
)

// TestTwoServersShareLimits runs two HTTP servers, each with its own
// Redis client and limiter, as two instances of a service: a caller
// alternating between them gets the limit once, not once per server.
func TestTwoServersShareLimits(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c1, c2 := b.newClient(t), b.newClient(t)
		prefix := testPrefix(t, c1)
		var urls []string
		for _, s := range []*redisstore.Store{storeAt(t, c1, prefix), storeAt(t, c2, prefix)} {
			l, err := ratelimit.New(s.RateLimits(), []ratelimit.Limit{ratelimit.PerMinute(5)},
				ratelimit.WithKey(ratelimit.KeyByHeader("X-Caller")), ratelimit.WithFailPolicy(ratelimit.FailClosed))
			require.NoError(t, err)
			srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
			t.Cleanup(srv.Close)
			urls = append(urls, srv.URL)
		}
		var codes []int
		for i := range 7 {
			req, err := http.NewRequest(http.MethodGet, urls[i%2], nil)
			require.NoError(t, err)
			req.Header.Set("X-Caller", "alice")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			codes = append(codes, resp.StatusCode)
		}
		assert.Equal(t, []int{200, 200, 200, 200, 200, 429, 429}, codes)
	})
}
