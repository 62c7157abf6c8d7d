package quota_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/quota"
)

// identify stands in for the authentication stage: X-Key names the caller.
func identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := r.Header.Get("X-Key"); k != "" {
			r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: k, Method: auth.MethodAPIKey}))
		}
		next.ServeHTTP(w, r)
	})
}

// statusHandler answers with the status in the query's "status" (200 if none).
var statusHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	status, err := strconv.Atoi(r.URL.Query().Get("status"))
	if err != nil {
		status = http.StatusOK
	}
	w.WriteHeader(status)
})

var noon = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func serve(t *testing.T, l *quota.Limiter) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(identify(l.Middleware()(statusHandler)))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, key, query string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/?"+query, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("X-Key", key)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func problemCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	var p struct{ Code, Detail string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	return p.Code
}

func TestMiddlewareRefusesWhenSpent(t *testing.T) {
	l, _ := newLimiter(t, noon, quota.WithQuota(quota.Quota{Name: "daily", Limit: 2, Period: quota.Day}))
	srv := serve(t, l)

	resp := get(t, srv, "alice", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"daily;q=2;w=86400"}, resp.Header.Values("RateLimit-Policy"))
	assert.Equal(t, []string{"daily;r=1;t=43200"}, resp.Header.Values("RateLimit"))
	assert.Equal(t, http.StatusOK, get(t, srv, "alice", "").StatusCode)

	resp = get(t, srv, "alice", "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "43200", resp.Header.Get("Retry-After"), "until midnight UTC")
	assert.Equal(t, "daily;r=0;t=43200", resp.Header.Get("RateLimit"))
	assert.Equal(t, "quota_exceeded", problemCode(t, resp))

	assert.Equal(t, http.StatusOK, get(t, srv, "bob", "").StatusCode, "each key has its own quota")
	resp = get(t, srv, "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "no identity: not counted")
	assert.Empty(t, resp.Header.Get("RateLimit"))
}

func TestMiddlewareQuotaPerRequest(t *testing.T) {
	plans := map[string]quota.Quota{
		"gold":   {Name: "gold", Limit: 3, Period: quota.Month},
		"bronze": {Name: "bronze", Limit: 1, Period: quota.Month},
	}
	l, _ := newLimiter(t, noon,
		quota.WithKeyFunc(func(r *http.Request) (string, bool) { return r.Header.Get("X-Key"), r.Header.Get("X-Key") != "" }),
		quota.WithQuotaFunc(func(r *http.Request) (quota.Quota, bool) {
			q, ok := plans[r.URL.Query().Get("plan")]
			return q, ok
		}),
		quota.WithCost(func(r *http.Request) int64 { return int64(len(r.URL.Query()["unit"])) + 1 }),
	)
	srv := httptest.NewServer(l.Middleware()(statusHandler))
	defer srv.Close()

	resp := get(t, srv, "k", "plan=gold&unit&unit")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "gold;q=3;w=2678400", resp.Header.Get("RateLimit-Policy"), "March has 31 days")
	assert.Equal(t, "gold;r=0;t=2635200", resp.Header.Get("RateLimit"))
	assert.Equal(t, http.StatusTooManyRequests, get(t, srv, "k", "plan=gold").StatusCode)
	assert.Equal(t, http.StatusOK, get(t, srv, "k", "plan=bronze").StatusCode, "quotas are counted apart")
	assert.Equal(t, http.StatusOK, get(t, srv, "k", "plan=none").StatusCode, "no quota: not counted")
	assert.Equal(t, http.StatusOK, get(t, srv, "k", "plan=none").StatusCode)
}

func TestMiddlewareRefundsServerErrors(t *testing.T) {
	q := quota.Quota{Limit: 3, Period: quota.Day}
	for _, refund := range []bool{false, true} {
		t.Run("refund="+strconv.FormatBool(refund), func(t *testing.T) {
			opts := []quota.Option{quota.WithQuota(q)}
			if refund {
				opts = append(opts, quota.WithRefundServerErrors())
			}
			l, _ := newLimiter(t, noon, opts...)
			srv := serve(t, l)
			assert.Equal(t, http.StatusInternalServerError, get(t, srv, "k", "status=500").StatusCode)
			assert.Equal(t, http.StatusServiceUnavailable, get(t, srv, "k", "status=503").StatusCode)
			assert.Equal(t, http.StatusNotFound, get(t, srv, "k", "status=404").StatusCode)
			u, err := l.Usage(ctx, "k", q)
			require.NoError(t, err)
			if refund {
				assert.Equal(t, int64(1), u.Used, "only the 404 counts")
			} else {
				assert.Equal(t, int64(3), u.Used)
				assert.Equal(t, http.StatusTooManyRequests, get(t, srv, "k", "status=404").StatusCode)
			}
		})
	}
}

func TestMiddlewareCredits(t *testing.T) {
	credits := quota.Quota{Name: "credits", Period: quota.Forever}
	l, _ := newLimiter(t, noon, quota.WithQuota(credits))
	_, err := l.SetRemaining(ctx, "k", credits, 1)
	require.NoError(t, err)
	srv := serve(t, l)

	resp := get(t, srv, "k", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "credits;q=0", resp.Header.Get("RateLimit-Policy"))
	assert.Equal(t, "credits;r=0", resp.Header.Get("RateLimit"), "no reset to announce")
	resp = get(t, srv, "k", "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Retry-After"), "a spent balance does not come back by waiting")
	assert.Equal(t, "quota_exceeded", problemCode(t, resp))
}

func TestMiddlewareStoreFailure(t *testing.T) {
	q := quota.Quota{Limit: 5, Period: quota.Day}
	for _, open := range []bool{false, true} {
		t.Run("open="+strconv.FormatBool(open), func(t *testing.T) {
			s := &brokenStore{MemoryStore: quota.NewMemoryStore()}
			s.broken.Store(true)
			opts := []quota.Option{quota.WithQuota(q)}
			if open {
				opts = append(opts, quota.WithFailOpen())
			}
			l, err := quota.New(s, opts...)
			require.NoError(t, err)
			resp := get(t, serve(t, l), "k", "")
			if open {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				return
			}
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			body, _ := io.ReadAll(resp.Body)
			assert.Contains(t, string(body), `"quota_unavailable"`)
			assert.NotContains(t, string(body), "10.0.0.7", "internal errors never reach the client")
		})
	}
}

func TestMiddlewareInvalidQuotaFailsClosed(t *testing.T) {
	l, _ := newLimiter(t, noon, quota.WithFailOpen(),
		quota.WithQuotaFunc(func(*http.Request) (quota.Quota, bool) { return quota.Quota{Limit: 1}, true }))
	resp := get(t, serve(t, l), "k", "")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "quota_invalid", problemCode(t, resp))
}

func TestMiddlewareSkipAndErrorHandler(t *testing.T) {
	var handled error
	l, _ := newLimiter(t, noon,
		quota.WithQuota(quota.Quota{Limit: 1, Period: quota.Day}),
		quota.WithSkip(func(r *http.Request) bool { return r.URL.Query().Has("health") }),
		quota.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			handled = err
			w.WriteHeader(http.StatusPaymentRequired)
		}),
	)
	srv := serve(t, l)
	for range 3 {
		assert.Equal(t, http.StatusOK, get(t, srv, "k", "health").StatusCode)
	}
	assert.Equal(t, http.StatusOK, get(t, srv, "k", "").StatusCode)
	assert.Equal(t, http.StatusPaymentRequired, get(t, srv, "k", "").StatusCode)
	e, ok := handled.(*quota.ExceededError)
	require.True(t, ok, "the handler gets an *ExceededError, not %T", handled)
	assert.ErrorIs(t, e, quota.ErrQuotaExceeded)
	assert.Equal(t, 12*time.Hour, e.RetryAfter)
	assert.Equal(t, http.StatusTooManyRequests, quota.HTTPStatus(e))
}

func TestMiddlewareKeepsEarlierPolicies(t *testing.T) {
	l, _ := newLimiter(t, noon, quota.WithQuota(quota.Quota{Name: "daily", Limit: 9, Period: quota.Day}))
	throttle := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("RateLimit-Policy", "burst;q=10;w=1")
			w.Header().Set("RateLimit", "burst;r=9;t=1")
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(identify(throttle(l.Middleware()(statusHandler))))
	defer srv.Close()
	resp := get(t, srv, "k", "")
	assert.Equal(t, "burst;q=10;w=1, daily;q=9;w=86400", strings.Join(resp.Header.Values("RateLimit-Policy"), ", "))
	assert.Equal(t, "burst;r=9;t=1, daily;r=8;t=43200", strings.Join(resp.Header.Values("RateLimit"), ", "))
}

func TestMiddlewareWithoutHeaders(t *testing.T) {
	l, _ := newLimiter(t, noon, quota.WithoutHeaders(), quota.WithQuota(quota.Quota{Limit: 1, Period: quota.Day}))
	srv := serve(t, l)
	resp := get(t, srv, "k", "")
	assert.Empty(t, resp.Header.Get("RateLimit"))
	resp = get(t, srv, "k", "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "43200", resp.Header.Get("Retry-After"))
}

func TestMiddlewareWebSocket(t *testing.T) {
	for _, refund := range []bool{false, true} {
		opts := []quota.Option{quota.WithQuota(quota.Quota{Limit: 1, Period: quota.Day})}
		if refund {
			opts = append(opts, quota.WithRefundServerErrors())
		}
		l, _ := newLimiter(t, noon, opts...)
		testkit.AssertWebSocket(t, func(h http.Handler) http.Handler { return identify(l.Middleware()(h)) }, http.Header{"X-Key": {"k"}})
		u, err := l.Usage(ctx, "k", quota.Quota{Limit: 1, Period: quota.Day})
		require.NoError(t, err)
		assert.Equal(t, int64(1), u.Used, "the upgrade counts once (refund=%t)", refund)
	}
}

func TestMiddlewareConcurrentRequestsNeverExceedTheQuota(t *testing.T) {
	const limit, requests = 25, 60
	l, _ := newLimiter(t, noon, quota.WithQuota(quota.Quota{Limit: limit, Period: quota.Day}))
	srv := serve(t, l)
	codes := make(chan int, requests)
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Header.Set("X-Key", "k")
			resp, err := srv.Client().Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	counts := map[int]int{}
	for c := range codes {
		counts[c]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: limit, http.StatusTooManyRequests: requests - limit}, counts)
}
