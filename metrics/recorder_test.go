package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/metrics"
)

var gold = &auth.Identity{ID: "key-1", Plan: "gold"}

func TestRefusalCounters(t *testing.T) {
	rc, reader := newRecorder(t)
	ctx := context.Background()
	rc.AuthFailure(ctx, auth.MethodAPIKey, "invalid_api_key")
	rc.AuthFailure(ctx, auth.MethodAPIKey, "invalid_api_key")
	rc.AuthFailure(ctx, auth.MethodSigV4, "SignatureDoesNotMatch")
	rc.Throttled(ctx, gold)
	rc.Throttled(ctx, nil)
	rc.QuotaExceeded(ctx, gold)

	assert.Equal(t, map[attribute.Distinct]int64{
		set(metrics.KeyAuthMethod.String("apikey"), metrics.KeyAuthReason.String("invalid_api_key")):      2,
		set(metrics.KeyAuthMethod.String("sigv4"), metrics.KeyAuthReason.String("SignatureDoesNotMatch")): 1,
	}, sums(t, collect(t, reader, "tollgate.auth.failures")))
	assert.Equal(t, map[attribute.Distinct]int64{
		set(metrics.KeyPlan.String("gold")): 1,
		set(metrics.KeyPlan.String("")):     1,
	}, sums(t, collect(t, reader, "tollgate.ratelimit.throttled")))
	assert.Equal(t, map[attribute.Distinct]int64{set(metrics.KeyPlan.String("gold")): 1},
		sums(t, collect(t, reader, "tollgate.quota.exceeded")))
}

func TestRefusalCountersWithKeyID(t *testing.T) {
	rc, reader := newRecorder(t, metrics.WithKeyID())
	rc.Throttled(context.Background(), gold)
	assert.Equal(t, map[attribute.Distinct]int64{set(metrics.KeyPlan.String("gold"), metrics.KeyKeyID.String("key-1")): 1},
		sums(t, collect(t, reader, "tollgate.ratelimit.throttled")))
}

func TestStoreCall(t *testing.T) {
	rc, reader := newRecorder(t)
	ctx := context.Background()
	rc.StoreCall(ctx, "ratelimit.take", 2*time.Millisecond, nil)
	rc.StoreCall(ctx, "ratelimit.take", 40*time.Millisecond, errors.New("redis: timeout"))
	rc.StoreCall(ctx, "ratelimit.take", time.Millisecond, context.Canceled)

	op := metrics.KeyStoreOp.String("ratelimit.take")
	assert.Equal(t, map[attribute.Distinct]int64{set(op): 1}, sums(t, collect(t, reader, "tollgate.store.errors")))
	hist := map[attribute.Distinct]metricdata.HistogramDataPoint[float64]{}
	for _, dp := range collect(t, reader, "tollgate.store.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		hist[dp.Attributes.Equivalent()] = dp
	}
	assert.EqualValues(t, 2, hist[set(op)].Count, "a canceled call is not a failure")
	failed := hist[set(op, attribute.String("error.type", "error"))]
	assert.EqualValues(t, 1, failed.Count)
	assert.InDelta(t, 0.04, failed.Sum, 1e-9)
}

func TestNilRecorder(t *testing.T) {
	var rc *metrics.Recorder
	ctx := context.Background()
	assert.NotPanics(t, func() {
		rc.AuthFailure(ctx, auth.MethodJWT, "expired")
		rc.Throttled(ctx, gold)
		rc.QuotaExceeded(ctx, gold)
		rc.StoreCall(ctx, "op", time.Millisecond, nil)
	})
}

// TestRecorderAllocs checks the decision methods allocate nothing once an
// attribute set is cached, with no-op and with SDK instruments.
func TestRecorderAllocs(t *testing.T) {
	sdk, _ := newRecorder(t)
	nop, err := metrics.New(metrics.WithMeterProvider(noop.NewMeterProvider()))
	require.NoError(t, err)
	ctx := context.Background()
	for name, rc := range map[string]*metrics.Recorder{"sdk": sdk, "noop": nop} {
		t.Run(name, func(t *testing.T) {
			calls := func() {
				rc.AuthFailure(ctx, auth.MethodAPIKey, "invalid_api_key")
				rc.Throttled(ctx, gold)
				rc.QuotaExceeded(ctx, gold)
				rc.StoreCall(ctx, "apikey.lookup", time.Millisecond, nil)
			}
			calls()
			assert.Zero(t, testing.AllocsPerRun(100, calls))
		})
	}
}

func TestSpanEvents(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	for _, on := range []bool{false, true} {
		var opts []metrics.Option
		if on {
			opts = append(opts, metrics.WithSpanEvents())
		}
		rc, _ := newRecorder(t, opts...)
		ctx, span := tp.Tracer("test").Start(context.Background(), "request")
		rc.AuthFailure(ctx, auth.MethodAPIKey, "invalid_api_key")
		rc.Throttled(ctx, gold)
		rc.QuotaExceeded(ctx, gold)
		span.End()
	}
	ended := spans.Ended()
	require.Len(t, ended, 2)
	assert.Empty(t, ended[0].Events(), "off by default")
	var names []string
	for _, e := range ended[1].Events() {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"tollgate.auth.failure", "tollgate.throttled", "tollgate.quota.exceeded"}, names)
	assert.Contains(t, ended[1].Events()[0].Attributes, metrics.KeyAuthReason.String("invalid_api_key"))
}

func TestNewValidates(t *testing.T) {
	_, err := metrics.New(metrics.WithClock(nil))
	assert.Error(t, err)
	rc, err := metrics.New() // the global provider
	require.NoError(t, err)
	assert.NotNil(t, rc)
}
