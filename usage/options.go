package usage

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

	"github.com/tollgate/tollgate/internal/clock"
)

// LastUsedRecorder learns when keys were last used. The apikey store
// implements it; [Meter] calls it after each batch it flushes, never per
// request. An error is logged and not retried: last-used times are
// advisory.
type LastUsedRecorder interface {
	// TouchLastUsed records, for each key ID in last, that the key was
	// used at that time, keeping the later of it and any time stored.
	TouchLastUsed(ctx context.Context, last map[string]time.Time) error
}

// Option configures [NewMeter].
type Option func(*config)

type config struct {
	now           clock.Func
	realClock     bool // now is time.Now: read the monotonic clock instead
	bucket        time.Duration
	interval      time.Duration
	flushSize     int
	maxEntries    int
	minBackoff    time.Duration
	maxBackoff    time.Duration
	lastUsed      LastUsedRecorder
	logger        *slog.Logger
	meterProvider metric.MeterProvider
	skip          func(*http.Request) bool
	observe       func(ctx context.Context, op string, d time.Duration, err error)
}

func defaults() config {
	return config{
		bucket:     time.Hour,
		interval:   10 * time.Second,
		flushSize:  5000,
		maxEntries: 100_000,
		minBackoff: 100 * time.Millisecond,
		maxBackoff: 30 * time.Second,
	}
}

// WithClock sets the time source that stamps records. Default: time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithBucket sets the width of the time buckets usage is aggregated and
// stored in. It must divide a day evenly. Default: one hour.
func WithBucket(d time.Duration) Option { return func(c *config) { c.bucket = d } }

// WithFlushInterval sets how often aggregated usage is flushed to the
// store. Default: 10 seconds.
func WithFlushInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// WithFlushSize flushes early once this many buckets are held. Default: 5000.
func WithFlushSize(n int) Option { return func(c *config) { c.flushSize = n } }

// WithMaxBuckets bounds memory: once this many buckets are held and not
// yet flushed, records for new buckets are dropped and counted, while the
// buckets already held keep counting. Default: 100000.
func WithMaxBuckets(n int) Option { return func(c *config) { c.maxEntries = n } }

// WithRetryBackoff sets the first and the longest wait before retrying a
// batch the store refused; the wait doubles in between. Default: 100ms
// and 30s.
func WithRetryBackoff(first, longest time.Duration) Option {
	return func(c *config) { c.minBackoff, c.maxBackoff = first, longest }
}

// WithLastUsed sets where flushed batches report keys' last-used times.
// Default: none.
func WithLastUsed(r LastUsedRecorder) Option { return func(c *config) { c.lastUsed = r } }

// WithLogger sets the logger for dropped records and store failures.
// Default: slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMeterProvider sets where the meter's own metrics go
// (tollgate.usage.dropped, tollgate.usage.flush.failures). Default: the
// OpenTelemetry global MeterProvider.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithStoreObserver calls observe after each call to the store, with op
// "usage.apply", its duration and its error. Pass a metrics.Recorder's
// StoreCall method to export store latency and errors. Default: none.
func WithStoreObserver(observe func(ctx context.Context, op string, d time.Duration, err error)) Option {
	return func(c *config) { c.observe = observe }
}

// WithSkip leaves requests for which skip returns true unmetered.
// Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option { return func(c *config) { c.skip = skip } }

func (c *config) validate() error {
	switch {
	case c.bucket < time.Second || (24*time.Hour)%c.bucket != 0:
		return errors.New("usage: bucket must be at least a second and divide a day")
	case c.interval <= 0:
		return errors.New("usage: flush interval must be positive")
	case c.flushSize <= 0 || c.maxEntries <= 0:
		return errors.New("usage: flush size and max buckets must be positive")
	case c.minBackoff <= 0 || c.maxBackoff < c.minBackoff:
		return errors.New("usage: retry backoff must be positive, first <= longest")
	}
	c.realClock = c.now == nil
	c.now = clock.OrReal(c.now)
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	return nil
}
