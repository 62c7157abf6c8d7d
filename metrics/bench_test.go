package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/metrics"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkMiddleware compares the bare ServeMux, this package's
// middleware and otelhttp, each recording http.server.request.duration
// into the same kind of SDK MeterProvider (otelhttp with a no-op tracer).
func BenchmarkMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	rc, err := metrics.New(metrics.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"bare", mux},
		{"tollgate", rc.Middleware(mux)},
		{"otelhttp", otelhttp.NewHandler(mux, "server",
			otelhttp.WithMeterProvider(mp), otelhttp.WithTracerProvider(tracenoop.NewTracerProvider()))},
	}
	req := httptest.NewRequest("GET", "/items/1", nil)
	for _, c := range handlers {
		b.Run(c.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkRecorder measures a decision counter with SDK instruments.
func BenchmarkRecorder(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	rc, err := metrics.New(metrics.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	id := &auth.Identity{ID: "key-1", Plan: "gold"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rc.Throttled(ctx, id)
	}
}
