package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, for -store sqlite:PATH

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/metrics"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
)

// demo is the demo API, ready to serve.
type demo struct {
	handler http.Handler
	key     string // empty when a persistent store kept an earlier key
	close   func(context.Context) error
}

func newDemo(ctx context.Context, store apikey.Store) (*demo, error) {
	keys, err := apikey.NewManager(store, apikey.WithPrefix("tg_demo_"))
	if err != nil {
		return nil, err
	}
	key, err := demoKey(ctx, keys)
	if err != nil {
		return nil, err
	}
	reg := prom.NewRegistry()
	exporter, err := prometheus.New(prometheus.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	rec, err := metrics.New(
		metrics.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))),
		metrics.WithAccessLog(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	)
	if err != nil {
		return nil, err
	}
	meter, err := usage.NewMeter(usage.NewMemoryStore(), usage.WithLastUsed(keys))
	if err != nil {
		return nil, err
	}
	gate, err := newGate(keys, rec, meter)
	if err != nil {
		return nil, err
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /v1/hello", hello)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/v1/", gate.Middleware(metrics.CaptureRoute(api)))
	return &demo{handler: mux, key: key, close: meter.Close}, nil
}

// newGate puts the demo plan in front of the API: bursts of 5, 1 request
// per second after that, 1000 a day.
func newGate(keys *apikey.Manager, rec *metrics.Recorder, meter *usage.Meter) (*tollgate.Gate, error) {
	plans, err := tollgate.NewPlans(tollgate.Plan{
		Name:     "demo",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1, 5)},
		Quota:    quota.Quota{Limit: 1000, Period: quota.Day},
	})
	if err != nil {
		return nil, err
	}
	return tollgate.New(tollgate.Config{
		Authenticators: []auth.Authenticator{apikey.NewAuthenticator(keys)},
		Plans:          plans,
		Usage:          meter,
		Metrics:        rec,
	})
}

// openKeyStore opens the key store named by spec: "memory", or
// "sqlite:PATH" for keys that survive a restart.
func openKeyStore(ctx context.Context, spec string) (apikey.Store, func() error, error) {
	if spec == "memory" {
		return apikey.NewMemoryStore(), func() error { return nil }, nil
	}
	path, ok := strings.CutPrefix(spec, "sqlite:")
	if !ok || path == "" {
		return nil, nil, fmt.Errorf("-store %q: want memory or sqlite:PATH", spec)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, nil, err
	}
	s, err := sqlstore.New(db, sqlstore.SQLite)
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s.APIKeys(), db.Close, nil
}
