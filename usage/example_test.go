package usage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/usage"
)

func ExampleMeter_Middleware() {
	store := usage.NewMemoryStore()
	meter, err := usage.NewMeter(store)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hi") })

	// An authenticator in front tells the meter who is calling.
	keys := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		return &auth.Identity{ID: r.Header.Get("X-Key"), Plan: "free"}, nil
	})
	h := auth.Middleware(keys)(meter.Middleware(mux))
	for range 3 {
		req := httptest.NewRequest("GET", "/hello", nil)
		req.Header.Set("X-Key", "key-1")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}

	// Close flushes everything to the store.
	if err := meter.Close(context.Background()); err != nil {
		panic(err)
	}
	rep, _ := usage.NewReporter(store)
	top, _ := rep.TopConsumers(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 10)
	for _, k := range top {
		fmt.Println(k.Key, k.Plan, k.Requests, k.BytesOut)
	}
	// Output: key-1 free 3 6
}

func ExampleReporter_GetUsage() {
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(day.Add(9 * time.Hour))
	store := usage.NewMemoryStore()
	meter, _ := usage.NewMeter(store, usage.WithClock(clk.Now))
	meter.Record(usage.Record{Key: "key-1", Route: "GET /hello", Method: "GET", Status: 200, Time: clk.Now()})
	meter.Record(usage.Record{Key: "key-1", Route: "GET /hello", Method: "GET", Status: 429, Time: clk.Advance(24 * time.Hour)})
	_ = meter.Close(context.Background())

	quota := usage.QuotaLookupFunc(func(context.Context, string) (usage.QuotaStatus, error) {
		return usage.QuotaStatus{Applies: true, Limit: 1000, Remaining: 999, Period: "DAY"}, nil
	})
	rep, _ := usage.NewReporter(store, usage.WithQuota(quota))
	u, _ := rep.GetUsage(context.Background(), "key-1", day, day.AddDate(0, 0, 3), usage.Day)
	for _, p := range u.Periods {
		fmt.Println(p.Start.Format(time.DateOnly), p.Requests, p.ClientErrors)
	}
	fmt.Println("remaining today:", u.Quota.Remaining)
	// Output:
	// 2026-05-01 1 0
	// 2026-05-02 1 1
	// 2026-05-03 0 0
	// remaining today: 999
}

func ExampleReporter_Export() {
	store := usage.NewMemoryStore()
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	_, _ = store.Apply(context.Background(), usage.Batch{ID: "b1", Rows: []usage.Row{
		{Key: "key-1", Plan: "gold", Route: "GET /hello", Method: "GET", Start: start,
			Counters: usage.Counters{Requests: 42, BytesOut: 4200, Latency: 840 * time.Millisecond}},
	}})
	rep, _ := usage.NewReporter(store)
	_ = rep.Export(context.Background(), os.Stdout, usage.CSV, start, start.Add(time.Hour), usage.Day)
	// Output:
	// period_start,key,plan,route,method,requests,client_errors,server_errors,bytes_in,bytes_out,latency_ms
	// 2026-05-01T00:00:00Z,key-1,gold,GET /hello,GET,42,0,0,0,4200,840
}
