package metrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/auth"
)

// ScopeName is the instrumentation scope of tollgate's meter.
const ScopeName = "github.com/tollgate/tollgate/metrics"

// durationBounds are the bucket boundaries, in seconds, that the HTTP
// semantic conventions advise for http.server.request.duration.
var durationBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Recorder measures requests and the decisions tollgate's stages make,
// through OpenTelemetry instruments. Its methods are nil-safe (a nil
// *Recorder records nothing) and, with a cached attribute set, allocate
// nothing. It is safe for concurrent use.
type Recorder struct {
	cfg config

	duration      metric.Float64Histogram
	active        metric.Int64UpDownCounter
	authFailures  metric.Int64Counter
	throttled     metric.Int64Counter
	quotaExceeded metric.Int64Counter
	storeDuration metric.Float64Histogram
	storeErrors   metric.Int64Counter

	durOpts    cache[durKey]
	activeOpts cache[activeKey]
	authOpts   cache[authKey]
	planOpts   cache[planKey]
	storeOpts  cache[storeKey]
}

// New returns a Recorder with its instruments created on the configured
// MeterProvider.
func New(opts ...Option) (*Recorder, error) {
	c := config{now: time.Now, realClock: true}
	for _, o := range opts {
		o(&c)
	}
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	if c.now == nil {
		return nil, errors.New("metrics: nil clock")
	}
	rc := &Recorder{cfg: c}
	if err := rc.instruments(c.meterProvider.Meter(ScopeName)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return rc, nil
}

func (rc *Recorder) instruments(m metric.Meter) error {
	var errs [7]error
	rc.duration, errs[0] = m.Float64Histogram("http.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP server requests."), metric.WithExplicitBucketBoundaries(durationBounds...))
	rc.active, errs[1] = m.Int64UpDownCounter("http.server.active_requests", metric.WithUnit("{request}"),
		metric.WithDescription("Number of active HTTP server requests."))
	rc.authFailures, errs[2] = m.Int64Counter("tollgate.auth.failures", metric.WithUnit("{request}"),
		metric.WithDescription("Requests refused by authentication, by method and reason."))
	rc.throttled, errs[3] = m.Int64Counter("tollgate.ratelimit.throttled", metric.WithUnit("{request}"),
		metric.WithDescription("Requests refused by a rate limit."))
	rc.quotaExceeded, errs[4] = m.Int64Counter("tollgate.quota.exceeded", metric.WithUnit("{request}"),
		metric.WithDescription("Requests refused because a quota was used up."))
	rc.storeDuration, errs[5] = m.Float64Histogram("tollgate.store.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of calls to tollgate's stores."), metric.WithExplicitBucketBoundaries(durationBounds...))
	rc.storeErrors, errs[6] = m.Int64Counter("tollgate.store.errors", metric.WithUnit("{call}"),
		metric.WithDescription("Calls to tollgate's stores that failed."))
	return errors.Join(errs[:]...)
}

type authKey struct{ method, reason string }

func (k authKey) attrs() []attribute.KeyValue {
	return []attribute.KeyValue{KeyAuthMethod.String(k.method), KeyAuthReason.String(k.reason)}
}

type planKey struct{ plan string }

func (k planKey) attrs() []attribute.KeyValue { return []attribute.KeyValue{KeyPlan.String(k.plan)} }

type storeKey struct {
	op     string
	failed bool
}

func (k storeKey) attrs() []attribute.KeyValue {
	if k.failed {
		return []attribute.KeyValue{KeyStoreOp.String(k.op), keyErrorType.String("error")}
	}
	return []attribute.KeyValue{KeyStoreOp.String(k.op)}
}

// AuthFailure counts a request authentication refused. reason is a short
// code from a bounded set, such as an [auth.Error] Code; method may be
// empty when no credentials were found.
func (rc *Recorder) AuthFailure(ctx context.Context, method auth.Method, reason string) {
	if rc == nil {
		return
	}
	k := authKey{string(method), reason}
	if rc.authFailures.Enabled(ctx) {
		rc.authFailures.Add(ctx, 1, rc.authOpts.get(k).add...)
	}
	rc.event(ctx, "tollgate.auth.failure", k.attrs)
}

// Throttled counts a request a rate limit refused, for id's plan.
func (rc *Recorder) Throttled(ctx context.Context, id *auth.Identity) {
	if rc == nil {
		return
	}
	rc.refused(ctx, rc.throttled, "tollgate.throttled", id)
}

// QuotaExceeded counts a request refused because id's quota is used up.
func (rc *Recorder) QuotaExceeded(ctx context.Context, id *auth.Identity) {
	if rc == nil {
		return
	}
	rc.refused(ctx, rc.quotaExceeded, "tollgate.quota.exceeded", id)
}

func (rc *Recorder) refused(ctx context.Context, c metric.Int64Counter, event string, id *auth.Identity) {
	k := planKey{}
	if id != nil {
		k.plan = id.Plan
	}
	if c.Enabled(ctx) {
		if rc.cfg.keyID && id != nil {
			c.Add(ctx, 1, metric.WithAttributes(KeyPlan.String(k.plan), KeyKeyID.String(id.ID)))
		} else {
			c.Add(ctx, 1, rc.planOpts.get(k).add...)
		}
	}
	rc.event(ctx, event, k.attrs)
}

// StoreCall records a call to one of tollgate's stores: op names it, such
// as "ratelimit.take" or "apikey.lookup"; d is how long it took; a non-nil
// err counts it as failed. A canceled context is not a store failure.
func (rc *Recorder) StoreCall(ctx context.Context, op string, d time.Duration, err error) {
	if rc == nil {
		return
	}
	failed := err != nil && !errors.Is(err, context.Canceled)
	o := rc.storeOpts.get(storeKey{op, failed})
	rc.storeDuration.Record(ctx, d.Seconds(), o.rec...)
	if failed {
		rc.storeErrors.Add(ctx, 1, rc.storeOpts.get(storeKey{op, false}).add...)
	}
}

// event adds a span event when enabled and the span records.
func (rc *Recorder) event(ctx context.Context, name string, attrs func() []attribute.KeyValue) {
	if !rc.cfg.spanEvents {
		return
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(name, trace.WithAttributes(attrs()...))
	}
}
