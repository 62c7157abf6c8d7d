package tollgate_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// A Sunday noon: the daily quotas below reset twelve hours later. In the
// future, so that Redis (which expires quota counters by its own clock)
// keeps them.
var t0 = time.Date(2037, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	srv                    *httptest.Server
	clk                    *clock.Fake
	keys                   *apikey.Manager
	plans                  *tollgate.Plans
	gold, free, none, mist string
}

func plans(t *testing.T) *tollgate.Plans {
	ps, err := tollgate.NewPlans(
		tollgate.Plan{
			Name:     "gold",
			Throttle: []ratelimit.Limit{ratelimit.PerSecond(5, 5)},
			Quota:    quota.Quota{Limit: 100, Period: quota.Day},
		},
		tollgate.Plan{
			Name:           "free",
			Throttle:       []ratelimit.Limit{ratelimit.PerSecond(1, 2)},
			RouteThrottles: map[string][]ratelimit.Limit{"POST /v1/orders": {ratelimit.PerMinute(1)}},
			Quota:          quota.Quota{Limit: 4, Period: quota.Day},
			Routes:         []string{"/v1/"},
		},
	)
	require.NoError(t, err)
	return ps
}

func newFixture(t *testing.T, cfg tollgate.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clk: clock.NewFake(t0), plans: plans(t)}
	var err error
	f.keys, err = apikey.NewManager(apikey.NewMemoryStore(), apikey.WithClock(f.clk.Now))
	require.NoError(t, err)
	f.gold, _, _ = f.keys.Create(ctx, apikey.Params{Owner: "a", Plan: "gold"})
	f.free, _, _ = f.keys.Create(ctx, apikey.Params{Owner: "b", Plan: "free"})
	f.none, _, _ = f.keys.Create(ctx, apikey.Params{Owner: "c"})
	f.mist, _, _ = f.keys.Create(ctx, apikey.Params{Owner: "d", Plan: "platinum"})

	cfg.Authenticators = []auth.Authenticator{apikey.NewAuthenticator(f.keys)}
	cfg.Plans, cfg.Clock = f.plans, f.clk.Now
	g, err := tollgate.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("fail") {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	f.srv = httptest.NewServer(g.Middleware(mux))
	t.Cleanup(f.srv.Close)
	return f
}

type reply struct {
	status int
	code   string
	header http.Header
}

func (f *fixture) do(t *testing.T, method, path, key string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	rep := reply{status: resp.StatusCode, header: resp.Header}
	if resp.Header.Get("Content-Type") == "application/problem+json" {
		var p struct{ Code string }
		require.NoError(t, json.Unmarshal(body, &p))
		rep.code = p.Code
	}
	return rep
}

func TestTwoKeysOnTwoPlans(t *testing.T) { testTwoKeysOnTwoPlans(t, tollgate.Config{}) }

func testTwoKeysOnTwoPlans(t *testing.T, cfg tollgate.Config) {
	f := newFixture(t, cfg)

	for i := range 5 {
		r := f.do(t, "GET", "/v1/items", f.gold)
		require.Equal(t, 200, r.status, "gold request %d", i)
	}
	r := f.do(t, "GET", "/v1/items", f.gold)
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "rate_limited", r.code)
	assert.Equal(t, "1", r.header.Get("Retry-After"))

	// free is throttled at its own burst, independently of gold.
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.free).status)
	r = f.do(t, "GET", "/v1/items", f.free)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "second;q=2;w=2, free;q=4;w=86400", r.header.Get("RateLimit-Policy"))
	assert.Equal(t, "second;r=0;t=2, free;r=2;t=43200", r.header.Get("RateLimit"))
	assert.Equal(t, 429, f.do(t, "GET", "/v1/items", f.free).status, "throttled past its burst")

	f.clk.Advance(2 * time.Second)
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "refilled")
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.free).status)
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.free).status, "fourth request: quota now spent")
	f.clk.Advance(2 * time.Second)
	r = f.do(t, "GET", "/v1/items", f.free)
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "quota_exceeded", r.code)
	assert.Equal(t, strconv.Itoa(12*3600-4), r.header.Get("Retry-After"), "until the day resets")

	f.clk.Set(t0.Add(12 * time.Hour))
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.free).status, "a new day")
}

func TestPlanRefusals(t *testing.T) {
	f := newFixture(t, tollgate.Config{})
	tests := []struct {
		name, method, path, key string
		status                  int
		code                    string
	}{
		{"no key", "GET", "/v1/items", "", 401, "missing_credentials"},
		{"route outside plan", "GET", "/admin", f.free, 403, "route_not_in_plan"},
		{"no plan", "GET", "/v1/items", f.none, 403, "no_plan"},
		{"unknown plan", "GET", "/v1/items", f.mist, 403, "no_plan"},
		{"route-level throttle", "POST", "/v1/orders", f.free, 200, ""},
		{"route-level throttle refuses", "POST", "/v1/orders", f.free, 429, "rate_limited"},
		{"other routes keep the plan throttle", "GET", "/v1/orders", f.free, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.key)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.code, r.code)
		})
	}
}

func TestDefaultPlanAndPlanChange(t *testing.T) {
	f := newFixture(t, tollgate.Config{DefaultPlan: "free"})
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.none).status, "falls to the default plan")
	assert.Equal(t, 403, f.do(t, "GET", "/other", f.none).status, "with its routes")

	require.NoError(t, f.plans.Set(tollgate.Plan{Name: "gold", Throttle: []ratelimit.Limit{ratelimit.PerSecond(1, 1)}}))
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status)
	assert.Equal(t, 429, f.do(t, "GET", "/v1/items", f.gold).status, "the new limit applies without restart")
	f.plans.Delete("gold")
	assert.Equal(t, 200, f.do(t, "GET", "/v1/items", f.gold).status, "deleted plan: the default applies")
}

func TestRefundServerErrors(t *testing.T) {
	f := newFixture(t, tollgate.Config{RefundServerErrors: true})
	for range 10 {
		f.clk.Advance(2 * time.Second)
		assert.Equal(t, 500, f.do(t, "GET", "/v1/items?fail", f.free).status)
	}
	f.clk.Advance(2 * time.Second)
	r := f.do(t, "GET", "/v1/items", f.free)
	assert.Equal(t, 200, r.status)
	assert.Contains(t, r.header.Get("RateLimit"), "free;r=3;", "server errors did not count")
}

func TestGateWebSocket(t *testing.T) {
	f := newFixture(t, tollgate.Config{})
	g, err := tollgate.New(tollgate.Config{Authenticators: []auth.Authenticator{apikey.NewAuthenticator(f.keys)}, Plans: f.plans, RefundServerErrors: true})
	require.NoError(t, err)
	testkit.AssertWebSocket(t, g.Middleware, http.Header{"X-Api-Key": {f.gold}})
}

func TestNewValidates(t *testing.T) {
	_, err := tollgate.New(tollgate.Config{})
	assert.Error(t, err)
	_, err = tollgate.NewPlans(tollgate.Plan{})
	assert.Error(t, err, "a plan needs a name")
	_, err = tollgate.NewPlans(tollgate.Plan{Name: "x", Routes: []string{"GET /a/{"}})
	assert.Error(t, err, "a bad route pattern")
	_, err = tollgate.NewPlans(tollgate.Plan{Name: "x", Quota: quota.Quota{Limit: 5}})
	assert.Error(t, err, "a quota without a period")
	_, err = tollgate.NewPlans(tollgate.Plan{Name: "x", Throttle: []ratelimit.Limit{{Quota: 0}}})
	assert.Error(t, err, "an invalid limit")
}

// TestGatesSharingPlans runs two Gates, each with its own stores, on one
// Plans: each throttles with its own limiter, whichever used a plan first.
func TestGatesSharingPlans(t *testing.T) {
	a := newFixture(t, tollgate.Config{})
	g, err := tollgate.New(tollgate.Config{
		Authenticators: []auth.Authenticator{apikey.NewAuthenticator(a.keys)},
		Plans:          a.plans,
		Clock:          a.clk.Now,
	})
	require.NoError(t, err)
	b := &fixture{srv: httptest.NewServer(g.Middleware(http.NotFoundHandler())), clk: a.clk}
	t.Cleanup(b.srv.Close)
	for _, f := range []*fixture{a, b} {
		for i := range 5 { // gold's burst
			assert.NotEqual(t, http.StatusTooManyRequests, f.do(t, "GET", "/v1/items", a.gold).status, "request %d", i)
		}
		assert.Equal(t, http.StatusTooManyRequests, f.do(t, "GET", "/v1/items", a.gold).status)
	}
}
