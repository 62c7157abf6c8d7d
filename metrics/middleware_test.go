package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/metrics"
)

var keyAuth = auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
	switch k := r.Header.Get("X-API-Key"); k {
	case "":
		return nil, auth.ErrNoCredentials
	case "good-secret":
		return &auth.Identity{ID: "key-1", Method: auth.MethodAPIKey, Plan: "gold"}, nil
	}
	return nil, &auth.Error{Code: "invalid_api_key", Err: auth.ErrInvalidCredentials}
})

// stack is the order the facade uses: observer outermost, then
// authentication, then the application's ServeMux.
func stack(rc *metrics.Recorder, clk *clock.Fake) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		clk.Advance(30 * time.Millisecond)
		if r.PathValue("id") == "boom" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "item")
	})
	return rc.Middleware(auth.Middleware(keyAuth)(metrics.CaptureRoute(mux)))
}

func TestMiddlewareDuration(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rc, reader := newRecorder(t, metrics.WithClock(clk.Now))
	srv := httptest.NewServer(stack(rc, clk))
	defer srv.Close()
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/items/1", "good-secret"},
		{"GET", "/items/2", "good-secret"},
		{"GET", "/items/boom", "good-secret"},
		{"GET", "/items/1", "wrong"},
		{"BREW", "/items/1", "good-secret"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		req.Header.Set("X-API-Key", c.key)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
	}

	m := collect(t, reader, "http.server.request.duration")
	assert.Equal(t, "s", m.Unit)
	got := map[attribute.Distinct]metricdata.HistogramDataPoint[float64]{}
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		got[dp.Attributes.Equivalent()] = dp
		assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}, dp.Bounds)
	}
	get, scheme, route := semconv.HTTPRequestMethodKey.String("GET"), semconv.URLSchemeKey.String("http"), semconv.HTTPRouteKey.String("/items/{id}")
	ok := got[set(get, scheme, route, semconv.HTTPResponseStatusCodeKey.Int(200))]
	assert.EqualValues(t, 2, ok.Count)
	assert.InDelta(t, 0.06, ok.Sum, 1e-9)
	assert.EqualValues(t, 1, got[set(get, scheme, route, semconv.HTTPResponseStatusCodeKey.Int(500), attribute.String("error.type", "500"))].Count)
	assert.EqualValues(t, 1, got[set(get, scheme, semconv.HTTPResponseStatusCodeKey.Int(401))].Count, "refused before routing: no route")
	assert.EqualValues(t, 1, got[set(semconv.HTTPRequestMethodKey.String("_OTHER"), scheme, semconv.HTTPResponseStatusCodeKey.Int(405))].Count)
	assert.Len(t, got, 4)

	active := sums(t, collect(t, reader, "http.server.active_requests"))
	assert.Equal(t, int64(0), active[set(get, scheme)], "every request ended")
}

func TestMiddlewareActiveRequests(t *testing.T) {
	rc, reader := newRecorder(t)
	var during int64
	h := rc.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		during = sums(t, collect(t, reader, "http.server.active_requests"))[set(
			semconv.HTTPRequestMethodKey.String("POST"), semconv.URLSchemeKey.String("http"))]
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
	assert.EqualValues(t, 1, during)
}

func TestMiddlewareKeyIDOption(t *testing.T) {
	for _, on := range []bool{false, true} {
		var opts []metrics.Option
		if on {
			opts = append(opts, metrics.WithKeyID())
		}
		rc, reader := newRecorder(t, opts...)
		clk := clock.NewFake(time.Now())
		req := httptest.NewRequest("GET", "/items/1", nil)
		req.Header.Set("X-API-Key", "good-secret")
		stack(rc, clk).ServeHTTP(httptest.NewRecorder(), req)
		dps := collect(t, reader, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints
		require.Len(t, dps, 1)
		v, has := dps[0].Attributes.Value(metrics.KeyKeyID)
		assert.Equal(t, on, has)
		if on {
			assert.Equal(t, "key-1", v.AsString())
		}
	}
}

func TestMiddlewareSkip(t *testing.T) {
	rc, reader := newRecorder(t, metrics.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/healthz" }))
	rc.Middleware(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	assert.Empty(t, rm.ScopeMetrics)
}

func TestMiddlewareWebSocket(t *testing.T) {
	rc, _ := newRecorder(t, metrics.WithAccessLog(quietLogger()))
	testkit.AssertWebSocket(t, rc.Middleware, nil)
}

// TestMiddlewareConcurrent serves many routes and statuses from 16
// goroutines, so new attribute sets are cached while others are read.
func TestMiddlewareConcurrent(t *testing.T) {
	rc, reader := newRecorder(t)
	h := rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		_, _ = fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.WriteHeader(code)
	}))
	const workers, each = 16, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				code := 200 + (w*each+i)%40
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/%d", code), nil))
			}
		})
	}
	wg.Wait()
	var n uint64
	for _, dp := range collect(t, reader, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		n += dp.Count
	}
	assert.EqualValues(t, workers*each, n)
}

// TestMiddlewareAllocs guards the budget: the Note (context and request
// copy) is all the middleware allocates once its attribute sets are cached.
func TestMiddlewareAllocs(t *testing.T) {
	rc, _ := newRecorder(t)
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	h := rc.Middleware(next)
	req := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	bare := testing.AllocsPerRun(100, func() { next.ServeHTTP(w, req) })
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) })-bare, 2.0)
}
