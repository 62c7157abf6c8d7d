package tollgate_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/metrics"
	"github.com/tollgate/tollgate/usage"
)

// TestGateObserves checks that the Gate meters only admitted requests,
// and that metrics and the access log see every request with the
// decision of the stage that refused it.
func TestGateObserves(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	var logs bytes.Buffer
	rec, err := metrics.New(
		metrics.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		metrics.WithAccessLog(slog.New(slog.NewJSONHandler(&logs, nil))),
	)
	require.NoError(t, err)
	store := usage.NewMemoryStore()
	meter, err := usage.NewMeter(store)
	require.NoError(t, err)

	f := newFixture(t, tollgate.Config{Usage: meter, Metrics: rec})
	codes := []int{
		f.do(t, "GET", "/v1/items", f.free).status,
		f.do(t, "GET", "/v1/items", f.free).status,
		f.do(t, "GET", "/v1/items", f.free).status, // throttled
		f.do(t, "GET", "/v1/items", "").status,     // unauthenticated
		f.do(t, "GET", "/v1/items", f.none).status, // no plan
	}
	assert.Equal(t, []int{200, 200, 429, 401, 403}, codes)

	require.NoError(t, meter.Close(context.Background()))
	rep, err := usage.NewReporter(store)
	require.NoError(t, err)
	u, err := rep.GetUsage(context.Background(), "", time.Now().Add(-time.Hour), time.Now().Add(time.Hour), usage.Day)
	require.NoError(t, err)
	assert.Equal(t, int64(2), u.Total.Requests, "only admitted requests are metered")

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					got[m.Name] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					got[m.Name] += int64(p.Count)
				}
			}
		}
	}
	assert.Equal(t, int64(5), got["http.server.request.duration"], "every request is measured")
	assert.Equal(t, int64(1), got["tollgate.ratelimit.throttled"])
	assert.Equal(t, int64(1), got["tollgate.auth.failures"])
	assert.Equal(t, int64(3+2), got["tollgate.store.duration"], "three throttle takes, two quota takes")

	for _, want := range []string{`"decision":"throttled"`, `"decision":"unauthenticated"`, `"decision":"forbidden"`, `"reason":"no_plan"`} {
		assert.Contains(t, logs.String(), want)
	}
	assert.NotContains(t, logs.String(), f.free, "no key in the access log")
}
