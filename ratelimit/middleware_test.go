package ratelimit_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/ratelimit"
)

// byUserHeader authenticates X-User as the identity, with X-Plan as its plan.
var byUserHeader = auth.NewMiddleware(auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
	if u := r.Header.Get("X-User"); u != "" {
		return &auth.Identity{ID: u, Method: auth.MethodCustom, Plan: r.Header.Get("X-Plan")}, nil
	}
	return nil, auth.ErrNoCredentials
}), auth.WithOptional())

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })

// serve starts a server with authentication, then the limiter, then h.
func serve(t *testing.T, l *ratelimit.Limiter, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(byUserHeader(l.Middleware(h)))
	t.Cleanup(srv.Close)
	return srv
}

// get sends a request with the given header pairs and returns the
// response with its body read.
func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	method := http.MethodGet
	if strings.HasPrefix(url, "POST ") {
		method, url = http.MethodPost, url[5:]
	}
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// Structured Field Lists (RFC 9651) of Items, restricted to the
// parameters draft-ietf-httpapi-ratelimit-headers-11 defines.
var (
	sfKey       = `(?:[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_` + "`" + `|~:/]*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*")`
	policyItem  = sfKey + `;q=\d{1,15}(?:;w=\d{1,15})?(?:;qu="[^"]*")?`
	stateItem   = sfKey + `;r=\d{1,15};t=\d{1,15}`
	policyField = regexp.MustCompile(`^` + policyItem + `(?:, ` + policyItem + `)*$`)
	stateField  = regexp.MustCompile(`^` + stateItem + `(?:, ` + stateItem + `)*$`)
)

func assertDraftSyntax(t *testing.T, h http.Header) {
	t.Helper()
	assert.Regexp(t, policyField, h.Get("RateLimit-Policy"))
	assert.Regexp(t, stateField, h.Get("RateLimit"))
}

func TestMiddlewareThrottles(t *testing.T) {
	clk := clock.NewFake(t0)
	l := newLimiter(t, clk, []ratelimit.Limit{ratelimit.PerSecond(1, 2), ratelimit.PerHour(100)})
	srv := serve(t, l, ok)

	for i, want := range []string{"second;r=1;t=1", "second;r=0;t=2"} {
		resp, body := get(t, srv.URL, "X-User", "alice")
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
		assert.Equal(t, "ok", body)
		assertDraftSyntax(t, resp.Header)
		assert.Equal(t, "second;q=2;w=2, hour;q=100;w=3600", resp.Header.Get("RateLimit-Policy"))
		assert.Equal(t, want, resp.Header.Get("RateLimit"))
		assert.Empty(t, resp.Header.Get("X-RateLimit-Limit"), "legacy fields are off by default")
	}
	resp, body := get(t, srv.URL, "X-User", "alice")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, "second;r=0;t=2", resp.Header.Get("RateLimit"))
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &p))
	assert.Equal(t, "rate_limited", p["code"])
	assert.EqualValues(t, 429, p["status"])

	resp, _ = get(t, srv.URL, "X-User", "bob")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "other callers count apart")
	clk.Advance(1500 * 1e6)
	resp, _ = get(t, srv.URL, "X-User", "alice")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a token back after a second")
	resp, _ = get(t, srv.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("RateLimit"), "anonymous requests have no key by default")
}

func TestMiddlewareOptions(t *testing.T) {
	tests := []struct {
		name       string
		opts       []ratelimit.Option
		wantStatus int
		check      func(t *testing.T, h http.Header, body string)
	}{
		{"legacy headers", []ratelimit.Option{ratelimit.WithLegacyHeaders()}, 429, func(t *testing.T, h http.Header, _ string) {
			assert.Equal(t, "1", h.Get("X-RateLimit-Limit"))
			assert.Equal(t, "0", h.Get("X-RateLimit-Remaining"))
			assert.Equal(t, "1", h.Get("X-RateLimit-Reset"))
		}},
		{"without headers", []ratelimit.Option{ratelimit.WithoutHeaders()}, 429, func(t *testing.T, h http.Header, _ string) {
			assert.Empty(t, h.Get("RateLimit"))
			assert.Empty(t, h.Get("RateLimit-Policy"))
			assert.Equal(t, "1", h.Get("Retry-After"), "Retry-After stays")
		}},
		{"skip", []ratelimit.Option{ratelimit.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/" })}, 200, func(t *testing.T, h http.Header, _ string) {
			assert.Empty(t, h.Get("RateLimit"))
		}},
		{"error handler", []ratelimit.Option{ratelimit.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, err.Error())
		})}, 503, func(t *testing.T, h http.Header, body string) {
			assert.Contains(t, body, "exceeded")
			assert.Equal(t, "second;r=0;t=1", h.Get("RateLimit"), "headers set before the handler")
		}},
		{"cost", []ratelimit.Option{ratelimit.WithCost(func(*http.Request) int64 { return 0 })}, 200, func(t *testing.T, h http.Header, _ string) {
			assert.Equal(t, "second;r=1;t=0", h.Get("RateLimit"), "cost 0 takes nothing")
		}},
		{"key by header", []ratelimit.Option{ratelimit.WithKey(ratelimit.KeyByHeader("X-Tenant"))}, 200, func(t *testing.T, h http.Header, _ string) {
			assert.Equal(t, "second;r=0;t=1", h.Get("RateLimit"), "a new tenant")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(1, 1)}, tt.opts...)
			srv := serve(t, l, ok)
			get(t, srv.URL, "X-User", "alice", "X-Tenant", "t1")
			resp, body := get(t, srv.URL, "X-User", "alice", "X-Tenant", "t2")
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			tt.check(t, resp.Header, body)
		})
	}
}

func TestMiddlewareShadow(t *testing.T) {
	var reported []ratelimit.Result
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(1, 1)},
		ratelimit.WithShadow(func(_ *http.Request, r ratelimit.Result) { reported = append(reported, r) }))
	srv := serve(t, l, ok)
	for range 3 {
		resp, body := get(t, srv.URL, "X-User", "alice")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "ok", body)
		assert.Equal(t, "second;r=0;t=1", resp.Header.Get("RateLimit"), "counted and reported")
		assert.Empty(t, resp.Header.Get("Retry-After"))
	}
	require.Len(t, reported, 2)
	assert.False(t, reported[0].Allowed)
}

func TestMiddlewareFailPolicy(t *testing.T) {
	var seen error
	for _, tt := range []struct {
		name   string
		policy ratelimit.FailPolicy
		want   int
	}{
		{"default open", nil, http.StatusOK},
		{"open", func(_ *http.Request, err error) bool { seen = err; return true }, http.StatusOK},
		{"closed", ratelimit.FailClosed, http.StatusServiceUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []ratelimit.Option
			if tt.policy != nil {
				opts = append(opts, ratelimit.WithFailPolicy(tt.policy))
			}
			l, err := ratelimit.New(failingStore{}, []ratelimit.Limit{ratelimit.PerSecond(1, 1)}, opts...)
			require.NoError(t, err)
			resp, body := get(t, serve(t, l, ok).URL, "X-User", "alice")
			assert.Equal(t, tt.want, resp.StatusCode)
			assert.NotContains(t, body, "connection refused", "no internal error text")
			if tt.want == http.StatusServiceUnavailable {
				assert.Contains(t, body, "rate_limit_unavailable")
			}
		})
	}
	assert.ErrorIs(t, seen, ratelimit.ErrStoreUnavailable)
}

func TestMiddlewareRoutes(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(10, 10)},
		ratelimit.WithRoute("GET /items/{id}", ratelimit.PerSecond(1, 1).Named("items")),
		ratelimit.WithRoute("POST /upload", ratelimit.PerSecond(1, 1).Named("upload")))
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", l.Middleware(ok)) // inside the mux: r.Pattern is set
	mux.Handle("/", ok)
	srv := httptest.NewServer(byUserHeader(l.Middleware(mux))) // outside: method and path
	t.Cleanup(srv.Close)

	resp, _ := get(t, srv.URL+"/items/7", "X-User", "alice")
	assert.Equal(t, "items;q=1;w=1", resp.Header.Get("RateLimit-Policy"))
	resp, _ = get(t, srv.URL+"/items/8", "X-User", "alice")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "one pattern, one counter")

	resp, _ = get(t, "POST "+srv.URL+"/upload", "X-User", "alice")
	assert.Equal(t, "upload;q=1;w=1", resp.Header.Get("RateLimit-Policy"))
	resp, _ = get(t, "POST "+srv.URL+"/upload", "X-User", "alice")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	resp, _ = get(t, srv.URL+"/upload", "X-User", "alice")
	assert.Equal(t, "second;q=10;w=1", resp.Header.Get("RateLimit-Policy"), "GET is not overridden")
}

func TestMiddlewarePolicyPerPlan(t *testing.T) {
	free, err := ratelimit.NewPolicy("free", ratelimit.PerSecond(1, 1))
	require.NoError(t, err)
	pro, err := ratelimit.NewPolicy("pro", ratelimit.PerSecond(100, 200), ratelimit.PerDay(10_000))
	require.NoError(t, err)
	plans := map[string]*ratelimit.Policy{"free": free, "pro": pro}
	l := newLimiter(t, clock.NewFake(t0), nil,
		ratelimit.WithPolicyFunc(func(r *http.Request) *ratelimit.Policy {
			id, _ := auth.FromContext(r.Context())
			return plans[id.Plan]
		}))
	srv := serve(t, l, ok)
	tests := []struct{ plan, policy, state string }{
		{"free", "second;q=1;w=1", "second;r=0;t=1"},
		{"pro", "second;q=200;w=2, day;q=10000;w=86400", "second;r=199;t=1"},
		{"", "", ""}, // no plan, no limiter limits: not throttled
	}
	for _, tt := range tests {
		resp, _ := get(t, srv.URL, "X-User", "u-"+tt.plan, "X-Plan", tt.plan)
		assert.Equal(t, tt.policy, resp.Header.Get("RateLimit-Policy"), tt.plan)
		assert.Equal(t, tt.state, resp.Header.Get("RateLimit"), tt.plan)
	}
}

func TestMiddlewareWebSocket(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(10, 10)}, ratelimit.WithKey(ratelimit.KeyByIP()))
	testkit.AssertWebSocket(t, l.Middleware, nil)
}

func TestMiddlewareCostTooHigh(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(1, 1)},
		ratelimit.WithCost(func(*http.Request) int64 { return 5 }))
	resp, body := get(t, serve(t, l, ok).URL, "X-User", "alice")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Retry-After"), "waiting would not help")
	assert.Contains(t, body, "rate_limited")
}

func TestMiddlewareAllocations(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{benchLimit, ratelimit.PerHour(1 << 40)}, ratelimit.WithLegacyHeaders())
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "alice"}))
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	assert.Equal(t, 1.0, allocs, "one allocation holds every header value")
}

func TestCheck(t *testing.T) {
	l := newLimiter(t, clock.NewFake(t0), []ratelimit.Limit{ratelimit.PerSecond(1, 1)},
		ratelimit.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/health" }))
	anon := httptest.NewRequest(http.MethodGet, "/", nil)
	health := httptest.NewRequest(http.MethodGet, "/health", nil)
	alice := anon.WithContext(auth.NewContext(anon.Context(), &auth.Identity{ID: "alice"}))
	for _, r := range []*http.Request{anon, health.WithContext(alice.Context())} {
		d, err := l.Check(r)
		require.NoError(t, err)
		assert.False(t, d.Counted)
	}
	for _, want := range []bool{true, false} {
		d, err := l.Check(alice)
		require.NoError(t, err)
		assert.True(t, d.Counted)
		assert.Same(t, l.Policy(), d.Policy)
		assert.Equal(t, want, d.Result.Allowed)
		assert.Equal(t, "second;q=1;w=1", d.Policy.HeaderValue())
	}
}
