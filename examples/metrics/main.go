// Command metrics serves a small API behind tollgate's metrics, access log
// and usage metering, and exposes the metrics to Prometheus on /metrics
// through the OpenTelemetry Prometheus exporter.
//
//	go run ./examples/metrics
//	curl -H 'X-API-Key: demo-key' localhost:8080/hello/world
//	curl localhost:8080/metrics
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/metrics"
	"github.com/tollgate/tollgate/usage"
)

func main() {
	addr := ":8080"
	if v := os.Getenv("ADDR"); v != "" {
		addr = v
	}
	h, closeMeter, err := newHandler(prom.NewRegistry(), slog.Default())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		if err := closeMeter(shutdown); err != nil { // flush the last usage
			slog.Error("usage flush", "err", err)
		}
	}()
	slog.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler wires the API: metrics and access log outermost, then
// authentication, then usage metering around the application's routes;
// /metrics is served beside it, unauthenticated.
func newHandler(reg *prom.Registry, logger *slog.Logger) (http.Handler, func(context.Context) error, error) {
	exporter, err := prometheus.New(prometheus.WithRegisterer(reg))
	if err != nil {
		return nil, nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	rec, err := metrics.New(metrics.WithMeterProvider(mp), metrics.WithAccessLog(logger))
	if err != nil {
		return nil, nil, err
	}
	meter, err := usage.NewMeter(usage.NewMemoryStore(), usage.WithMeterProvider(mp), usage.WithLogger(logger),
		usage.WithStoreObserver(rec.StoreCall))
	if err != nil {
		return nil, nil, err
	}

	api := http.NewServeMux()
	api.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})
	keys := auth.NewMiddleware(demoKeys, auth.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		// The auth middleware has put its reason code in the Note.
		if n := auth.NoteFromContext(r.Context()); n != nil {
			rec.AuthFailure(r.Context(), auth.MethodAPIKey, n.Reason)
		}
		auth.WriteError(w, r, err)
	}))

	root := http.NewServeMux()
	root.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	root.Handle("/", rec.Middleware(keys(meter.Middleware(metrics.CaptureRoute(api)))))
	return root, meter.Close, nil
}

// demoKeys accepts the API key "demo-key" (never hard-code keys outside
// an example; see package apikey).
var demoKeys = auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
	switch r.Header.Get("X-API-Key") {
	case "":
		return nil, auth.ErrNoCredentials
	case "demo-key":
		return &auth.Identity{ID: "demo", Method: auth.MethodAPIKey, Plan: "free"}, nil
	}
	return nil, auth.ErrInvalidCredentials
})
