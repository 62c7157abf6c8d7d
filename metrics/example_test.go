package metrics_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/metrics"
)

func ExampleRecorder_Middleware() {
	reader := sdkmetric.NewManualReader()
	rc, err := metrics.New(metrics.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "item") })
	h := rc.Middleware(mux)
	for _, p := range []string{"/items/1", "/items/2"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
			route, _ := h.DataPoints[0].Attributes.Value("http.route")
			fmt.Println(m.Name, route.AsString(), h.DataPoints[0].Count)
		}
	}
	// Output: http.server.request.duration /items/{id} 2
}

func ExampleWithAccessLog() {
	// Drop the time, latency and response size so the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "latency" || a.Key == "bytes_out" {
				return slog.Attr{}
			}
			return a
		},
	}))
	rc, _ := metrics.New(metrics.WithAccessLog(logger))
	keys := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		if r.Header.Get("X-API-Key") != "s3cret" {
			return nil, auth.ErrInvalidCredentials
		}
		return &auth.Identity{ID: "key-1", Method: auth.MethodAPIKey, Plan: "gold"}, nil
	})
	h := rc.Middleware(auth.Middleware(keys)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "ok")
	})))
	for _, k := range []string{"s3cret", "guess"} {
		req := httptest.NewRequest("GET", "/hello?api_key="+k, nil)
		req.Header.Set("X-API-Key", k)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Output:
	// level=INFO msg=request method=GET path=/hello route="" status=200 decision=allowed reason="" key=key-1 plan=gold auth=apikey bytes_in=0 remote=192.0.2.1
	// level=INFO msg=request method=GET path=/hello route="" status=401 decision=unauthenticated reason=invalid_credentials key="" plan="" auth="" bytes_in=0 remote=192.0.2.1
}

func ExampleRecorder_Throttled() {
	rc, _ := metrics.New() // the global MeterProvider
	// In a rate limiter's refusal path:
	ctx := context.Background()
	id := &auth.Identity{ID: "key-1", Plan: "free"}
	rc.Throttled(ctx, id)
	auth.NoteFromContext(ctx).Decide(auth.DecisionThrottled, "rate") // nil-safe without a Note
	fmt.Println("counted")
	// Output: counted
}
