package metrics

import (
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// Option configures [New].
type Option func(*config)

type config struct {
	meterProvider metric.MeterProvider
	keyID         bool
	spanEvents    bool
	logger        *slog.Logger
	skip          func(*http.Request) bool
	now           func() time.Time
	realClock     bool // now is time.Now: time latency on the monotonic clock
}

// WithMeterProvider sets where measurements go. Default: the
// OpenTelemetry global MeterProvider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithKeyID adds the caller's identity ID as tollgate.key.id to the
// request duration, throttling and quota measurements. Every key then
// makes its own time series, so enable it only when keys are few.
// Default: off.
func WithKeyID() Option { return func(c *config) { c.keyID = true } }

// WithSpanEvents adds an event to the active span for each refusal
// recorded (tollgate.auth.failure, tollgate.throttled,
// tollgate.quota.exceeded). Default: off.
func WithSpanEvents() Option { return func(c *config) { c.spanEvents = true } }

// WithAccessLog makes the middleware write one line per request to l, at
// level Info, with the identity, plan, decision, status, latency and
// bytes; never a header value or the query string. Default: no access log.
func WithAccessLog(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithSkip leaves requests for which skip returns true unmeasured and
// unlogged. Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option { return func(c *config) { c.skip = skip } }

// WithClock sets the time source for request latency. Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now, c.realClock = now, false }
}
