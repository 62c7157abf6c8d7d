package metrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tollgate/tollgate/metrics"
)

// newRecorder returns a Recorder on an SDK MeterProvider and its reader.
func newRecorder(t *testing.T, opts ...metrics.Option) (*metrics.Recorder, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	rc, err := metrics.New(append([]metrics.Option{metrics.WithMeterProvider(mp)}, opts...)...)
	require.NoError(t, err)
	return rc, reader
}

// collect returns the metric named name, or fails.
func collect(t *testing.T, r *sdkmetric.ManualReader, name string) metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("metric %s not collected", name)
	return metricdata.Metrics{}
}

// sums maps each data point's attribute set to its value.
func sums(t *testing.T, m metricdata.Metrics) map[attribute.Distinct]int64 {
	t.Helper()
	out := map[attribute.Distinct]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		out[dp.Attributes.Equivalent()] = dp.Value
	}
	return out
}

func set(kv ...attribute.KeyValue) attribute.Distinct {
	s := attribute.NewSet(kv...)
	return s.Equivalent()
}
