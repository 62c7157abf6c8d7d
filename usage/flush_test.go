package usage_test

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

	"github.com/tollgate/tollgate/usage"
)

func rec(key string, at time.Time) usage.Record {
	return usage.Record{Key: key, Plan: "p", Route: "GET /x", Method: "GET", Status: 200, BytesOut: 7, Latency: time.Millisecond, Time: at}
}

// TestOverflowKeepsOldest fills the buffer, then checks that held buckets
// keep counting, new ones are dropped, counted, logged and exported as a
// metric, and that space frees up after a flush.
func TestOverflowKeepsOldest(t *testing.T) {
	store := usage.NewMemoryStore()
	var logs bytes.Buffer
	reader := sdkmetric.NewManualReader()
	m := newMeter(t, store, usage.WithMaxBuckets(1),
		usage.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		usage.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))

	m.Record(rec("old", t0))
	m.Record(rec("new", t0)) // needs a second bucket: dropped
	m.Record(rec("old", t0)) // existing bucket: counted
	m.Record(rec("new", t0))
	assert.Equal(t, usage.Stats{Dropped: 2, Buckets: 1}, m.Stats())

	require.NoError(t, m.Flush(context.Background()))
	assert.Contains(t, logs.String(), "dropped=2")
	got, rows := total(t, store)
	assert.EqualValues(t, 2, got.Requests)
	require.Len(t, rows, 1)
	assert.Equal(t, "old", rows[0].Key)

	m.Record(rec("new", t0)) // room again after the flush
	require.NoError(t, m.Flush(context.Background()))
	got, _ = total(t, store)
	assert.EqualValues(t, 3, got.Requests)
	assert.EqualValues(t, 2, observed(t, reader, "tollgate.usage.dropped"))
}

// observed returns the value of an int64 sum metric.
func observed(t *testing.T, r *sdkmetric.ManualReader, name string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if mt.Name == name {
				return mt.Data.(metricdata.Sum[int64]).DataPoints[0].Value
			}
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// TestRetryIsIdempotent: a batch the store refuses stays pending and is
// retried with the same ID; a batch applied whose reply was lost is
// retried and counted once; records arriving meanwhile go in a later batch.
func TestRetryIsIdempotent(t *testing.T) {
	tests := []struct {
		name          string
		fail, lostAck int
		wantDups      int
	}{
		{name: "store down then up", fail: 2},
		{name: "reply lost", lostAck: 1, wantDups: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &flakyStore{MemoryStore: usage.NewMemoryStore(), fail: tt.fail, lostAck: tt.lostAck}
			var calls, failed int
			observe := func(_ context.Context, op string, _ time.Duration, err error) {
				assert.Equal(t, "usage.apply", op)
				calls++
				if err != nil {
					failed++
				}
			}
			m := newMeter(t, store, usage.WithLogger(quiet), usage.WithStoreObserver(observe))
			ctx := context.Background()
			m.Record(rec("k", t0))
			for range tt.fail + tt.lostAck {
				require.ErrorIs(t, m.Flush(ctx), errDown)
				assert.True(t, m.Stats().Pending)
				m.Record(rec("k", t0))
			}
			require.NoError(t, m.Flush(ctx))
			assert.Equal(t, usage.Stats{FlushFailures: int64(tt.fail + tt.lostAck)}, m.Stats())

			got, _ := total(t, store)
			assert.EqualValues(t, 1+tt.fail+tt.lostAck, got.Requests)
			ids, dups := store.calls()
			assert.Equal(t, tt.wantDups, dups)
			for i := 1; i <= tt.fail+tt.lostAck; i++ {
				assert.Equal(t, ids[0], ids[i], "retries carry the first batch's ID")
			}
			assert.NotEqual(t, ids[0], ids[len(ids)-1], "later records go in a new batch")
			assert.Equal(t, len(ids), calls, "every store call observed")
			assert.Equal(t, tt.fail+tt.lostAck, failed)
		})
	}
}

// TestCloseFlushesAndRefuses: Close retries until the store accepts,
// later records are counted as dropped, and a second Close says so.
func TestCloseFlushesAndRefuses(t *testing.T) {
	store := &flakyStore{MemoryStore: usage.NewMemoryStore(), fail: 3}
	m, err := usage.NewMeter(store, usage.WithLogger(quiet), usage.WithRetryBackoff(time.Microsecond, time.Microsecond))
	require.NoError(t, err)
	m.Record(rec("k", t0))
	require.NoError(t, m.Close(context.Background()))
	got, _ := total(t, store)
	assert.EqualValues(t, 1, got.Requests)

	m.Record(rec("k", t0))
	assert.EqualValues(t, 1, m.Stats().Dropped)
	assert.ErrorIs(t, m.Close(context.Background()), usage.ErrClosed)
}

// TestCloseGivesUpWithContext: while the store is down, Close returns
// when its context ends and says what was left.
func TestCloseGivesUpWithContext(t *testing.T) {
	store := &flakyStore{MemoryStore: usage.NewMemoryStore(), fail: 1 << 30}
	m, err := usage.NewMeter(store, usage.WithLogger(quiet), usage.WithRetryBackoff(time.Microsecond, time.Microsecond))
	require.NoError(t, err)
	m.Record(rec("k", t0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = m.Close(ctx)
	require.ErrorIs(t, err, errDown)
	assert.Contains(t, err.Error(), "pending=true")
}

// TestLastUsedFromBatches: keys' last-used times come from flushed
// batches, the latest request per key.
func TestLastUsedFromBatches(t *testing.T) {
	lu := &lastUsed{}
	m := newMeter(t, usage.NewMemoryStore(), usage.WithLastUsed(lu))
	m.Record(rec("a", t0))
	m.Record(rec("a", t0.Add(time.Minute)))
	m.Record(rec("b", t0.Add(-time.Hour)))
	m.Record(rec("", t0.Add(time.Hour))) // anonymous: no key to touch
	assert.Empty(t, lu.seen, "nothing before a flush")
	require.NoError(t, m.Flush(context.Background()))
	assert.Equal(t, map[string]time.Time{"a": t0.Add(time.Minute), "b": t0.Add(-time.Hour)}, lu.seen)
}

func TestNewMeterValidates(t *testing.T) {
	tests := []struct {
		name string
		opt  usage.Option
	}{
		{"bucket not dividing a day", usage.WithBucket(7 * time.Hour)},
		{"bucket under a second", usage.WithBucket(time.Millisecond)},
		{"zero interval", usage.WithFlushInterval(0)},
		{"zero flush size", usage.WithFlushSize(0)},
		{"zero max buckets", usage.WithMaxBuckets(0)},
		{"backoff inverted", usage.WithRetryBackoff(time.Second, time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := usage.NewMeter(usage.NewMemoryStore(), tt.opt)
			assert.Error(t, err)
		})
	}
	_, err := usage.NewMeter(nil)
	assert.Error(t, err)
}

// TestOutageStaysBounded: while the store is down, one batch waits for
// retry and new buckets fill up to the bound, then overflow is counted;
// once the store is back every record is either stored or counted as
// dropped.
func TestOutageStaysBounded(t *testing.T) {
	store := &flakyStore{MemoryStore: usage.NewMemoryStore(), fail: 1 << 30}
	m := newMeter(t, store, usage.WithMaxBuckets(2), usage.WithLogger(quiet))
	ctx := context.Background()
	sent := 0
	send := func(keys ...string) {
		for _, k := range keys {
			m.Record(rec(k, t0))
			sent++
		}
	}
	send("a", "b")
	require.ErrorIs(t, m.Flush(ctx), errDown) // a and b now pending
	send("c", "d", "e", "c", "f")
	s := m.Stats()
	assert.True(t, s.Pending)
	assert.LessOrEqual(t, s.Buckets, 2, "the bound holds while a batch waits")
	require.ErrorIs(t, m.Flush(ctx), errDown)

	store.mu.Lock()
	store.fail = 0
	store.mu.Unlock()
	require.NoError(t, m.Flush(ctx))
	got, _ := total(t, store)
	assert.EqualValues(t, sent, got.Requests+m.Stats().Dropped, "every record stored or counted as dropped")
	assert.Positive(t, m.Stats().Dropped)
}
