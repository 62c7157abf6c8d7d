package usage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/usage"
)

// meterThrough serves requests through a meter on a fake clock: each
// call advances the clock by step, serves one request as key on route.
type meterThrough struct {
	t     *testing.T
	clk   *clock.Fake
	meter *usage.Meter
	store *usage.MemoryStore
}

func newMeterThrough(t *testing.T, start time.Time) *meterThrough {
	clk := clock.NewFake(start)
	store := usage.NewMemoryStore()
	return &meterThrough{t: t, clk: clk, store: store,
		meter: newMeter(t, store, usage.WithClock(clk.Now), usage.WithBucket(30*time.Minute))}
}

func (mt *meterThrough) serve(key, path string, status int) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/{thing}", func(w http.ResponseWriter, _ *http.Request) {
		mt.clk.Advance(20 * time.Millisecond) // the handler's latency
		w.WriteHeader(status)
	})
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("X-Key", key)
	h := auth.NewMiddleware(keyAuth, auth.WithOptional())(mt.meter.Middleware(mux))
	h.ServeHTTP(httptest.NewRecorder(), req)
}

// TestGetUsageAcrossDays meters requests either side of midnight UTC and
// in a zone five hours behind, and checks the per-period arithmetic.
func TestGetUsageAcrossDays(t *testing.T) {
	mt := newMeterThrough(t, time.Date(2026, 3, 1, 23, 40, 0, 0, time.UTC))
	mt.serve("alice", "/v1/a", 200) // 1 Mar 23:40
	mt.serve("alice", "/v1/b", 404)
	mt.clk.Advance(30 * time.Minute) // 2 Mar 00:10
	mt.serve("alice", "/v1/a", 500)
	mt.serve("bob", "/v1/a", 200)
	mt.clk.Advance(5 * time.Hour) // 2 Mar 05:10
	mt.serve("alice", "/v1/a", 200)
	require.NoError(t, mt.meter.Flush(context.Background()))

	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	rep, err := usage.NewReporter(mt.store)
	require.NoError(t, err)
	u, err := rep.GetUsage(context.Background(), "alice", day(1).Add(12*time.Hour), day(4), usage.Day)
	require.NoError(t, err)
	require.Len(t, u.Periods, 3)
	assert.Equal(t, []int64{2, 2, 0}, requests(u.Periods))
	assert.Equal(t, day(1), u.Periods[0].Start)
	assert.Equal(t, day(2), u.Periods[0].End)
	assert.EqualValues(t, 1, u.Periods[0].ClientErrors)
	assert.EqualValues(t, 1, u.Periods[1].ServerErrors)
	assert.EqualValues(t, 4, u.Total.Requests)
	assert.Equal(t, 80*time.Millisecond, u.Total.Latency)
	assert.Nil(t, u.Quota)

	// Five hours behind UTC, alice's first three requests fall on 1 March
	// (18:40 to 19:10 local) and the last on 2 March (00:10 local).
	est := time.FixedZone("EST", -5*3600)
	rep, err = usage.NewReporter(mt.store, usage.WithLocation(est))
	require.NoError(t, err)
	u, err = rep.GetUsage(context.Background(), "alice", time.Date(2026, 3, 1, 0, 0, 0, 0, est), time.Date(2026, 3, 3, 0, 0, 0, 0, est), usage.Day)
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 1}, requests(u.Periods))

	u, err = rep.GetUsage(context.Background(), "alice", day(1).Add(23*time.Hour), day(2).Add(6*time.Hour), usage.Hour)
	require.NoError(t, err)
	assert.Equal(t, []int64{2, 1, 0, 0, 0, 0, 1}, requests(u.Periods))
}

func requests(ps []usage.Period) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.Requests
	}
	return out
}

func TestGetUsageQuotaAndErrors(t *testing.T) {
	mt := newMeterThrough(t, t0)
	mt.serve("alice", "/v1/a", 200)
	require.NoError(t, mt.meter.Flush(context.Background()))
	quota := usage.QuotaLookupFunc(func(_ context.Context, key string) (usage.QuotaStatus, error) {
		if key == "alice" {
			return usage.QuotaStatus{Applies: true, Limit: 1000, Remaining: 999, Period: "DAY"}, nil
		}
		return usage.QuotaStatus{}, nil
	})
	rep, err := usage.NewReporter(mt.store, usage.WithQuota(quota))
	require.NoError(t, err)
	ctx := context.Background()
	u, err := rep.GetUsage(ctx, "alice", t0, t0.Add(time.Hour), usage.Day)
	require.NoError(t, err)
	require.NotNil(t, u.Quota)
	assert.EqualValues(t, 999, u.Quota.Remaining)
	u, err = rep.GetUsage(ctx, "bob", t0, t0.Add(time.Hour), usage.Day)
	require.NoError(t, err)
	assert.Nil(t, u.Quota)

	_, err = rep.GetUsage(ctx, "alice", t0, t0, usage.Day)
	assert.ErrorIs(t, err, usage.ErrInvalidRange)
	_, err = rep.GetUsage(ctx, "alice", t0, t0.AddDate(5, 0, 0), usage.Hour)
	assert.ErrorIs(t, err, usage.ErrRangeTooLarge)
	_, err = rep.GetUsage(ctx, "alice", t0, t0.Add(time.Hour), usage.Granularity(9))
	assert.Error(t, err)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = rep.GetUsage(canceled, "alice", t0, t0.Add(time.Hour), usage.Day)
	assert.Equal(t, context.Canceled, err, "ctx.Err() passes through unchanged")
	_, err = usage.NewReporter(nil)
	assert.Error(t, err)
}

func TestByRouteAndTopConsumers(t *testing.T) {
	mt := newMeterThrough(t, t0)
	for range 3 {
		mt.serve("alice", "/v1/a", 200)
	}
	mt.serve("bob", "/v1/a", 200)
	mt.serve("bob", "/nowhere", 404)
	mt.serve("", "/v1/a", 200)
	require.NoError(t, mt.meter.Flush(context.Background()))
	rep, err := usage.NewReporter(mt.store)
	require.NoError(t, err)
	ctx := context.Background()

	routes, err := rep.ByRoute(ctx, "", t0.Add(-time.Hour), t0.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, routes, 2)
	assert.Equal(t, "GET /v1/{thing}", routes[0].Route)
	assert.EqualValues(t, 5, routes[0].Requests)
	assert.Equal(t, "", routes[1].Route, "an unmatched request has no route")
	assert.EqualValues(t, 1, routes[1].ClientErrors)

	routes, err = rep.ByRoute(ctx, "bob", t0.Add(-time.Hour), t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Len(t, routes, 2)

	top, err := rep.TopConsumers(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), 1)
	require.NoError(t, err)
	assert.Equal(t, []usage.KeyUsage{{Key: "alice", Plan: "basic", Counters: usage.Counters{Requests: 3, Latency: 60 * time.Millisecond}}}, top)
	top, err = rep.TopConsumers(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), 10)
	require.NoError(t, err)
	assert.Len(t, top, 2, "anonymous usage is not a consumer")
	_, err = rep.TopConsumers(ctx, t0, t0.Add(-time.Hour), 10)
	assert.ErrorIs(t, err, usage.ErrInvalidRange)
}

var errStore = errors.New("db down")

type downStore struct{ usage.Store }

func (downStore) Query(context.Context, usage.Filter) (usage.QueryResult, error) {
	return usage.QueryResult{}, errStore
}

func TestReportStoreFailure(t *testing.T) {
	rep, err := usage.NewReporter(downStore{})
	require.NoError(t, err)
	_, err = rep.ByRoute(context.Background(), "", t0, t0.Add(time.Hour))
	assert.ErrorIs(t, err, errStore)
	var buf bytes.Buffer
	err = rep.Export(context.Background(), &buf, usage.CSV, t0, t0.Add(time.Hour), usage.Day)
	assert.ErrorIs(t, err, errStore)
}

func TestExport(t *testing.T) {
	mt := newMeterThrough(t, time.Date(2026, 3, 1, 23, 40, 0, 0, time.UTC))
	mt.serve("alice", "/v1/a", 200)
	mt.clk.Advance(time.Hour)
	mt.serve("alice", "/v1/a", 200)
	mt.serve("=cmd()", "/v1/a", 500)
	require.NoError(t, mt.meter.Flush(context.Background()))
	rep, err := usage.NewReporter(mt.store)
	require.NoError(t, err)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)

	var buf bytes.Buffer
	require.NoError(t, rep.Export(context.Background(), &buf, usage.CSV, from, to, usage.Day))
	assert.Equal(t, `period_start,key,plan,route,method,requests,client_errors,server_errors,bytes_in,bytes_out,latency_ms
2026-03-01T00:00:00Z,alice,basic,GET /v1/{thing},GET,1,0,0,0,0,20
2026-03-02T00:00:00Z,'=cmd(),basic,GET /v1/{thing},GET,1,0,1,0,0,20
2026-03-02T00:00:00Z,alice,basic,GET /v1/{thing},GET,1,0,0,0,0,20
`, buf.String())

	buf.Reset()
	require.NoError(t, rep.Export(context.Background(), &buf, usage.JSON, from, to, usage.Month))
	var rows []usage.Row
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rows))
	require.Len(t, rows, 2)
	assert.Equal(t, "=cmd()", rows[0].Key, "JSON keeps values as they are")
	assert.EqualValues(t, 2, rows[1].Requests)
	assert.Equal(t, from, rows[1].Start)

	assert.Error(t, rep.Export(context.Background(), &buf, usage.Format(0), from, to, usage.Day))
}

func TestGranularity(t *testing.T) {
	for _, g := range []usage.Granularity{usage.Hour, usage.Day, usage.Month} {
		b, err := g.MarshalText()
		require.NoError(t, err)
		back, err := usage.ParseGranularity(string(b))
		require.NoError(t, err)
		assert.Equal(t, g, back)
	}
	var u usage.Usage
	require.NoError(t, json.Unmarshal([]byte(`{"granularity":"month"}`), &u))
	assert.Equal(t, usage.Month, u.Granularity)
	_, err := usage.ParseGranularity("week")
	assert.Error(t, err)
	_, err = usage.Granularity(0).MarshalText()
	assert.Error(t, err)
}
