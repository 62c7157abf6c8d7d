package quota_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
)

// fixedNow pins the examples' clock so their output is stable.
func fixedNow() time.Time { return time.Date(2024, 3, 1, 18, 0, 0, 0, time.UTC) }

func ExampleLimiter_Middleware() {
	l, err := quota.New(quota.NewMemoryStore(),
		quota.WithQuota(quota.Quota{Name: "daily", Limit: 2, Period: quota.Day}),
		quota.WithClock(fixedNow))
	if err != nil {
		panic(err)
	}
	h := l.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))

	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		// The authentication stage puts the caller's identity here.
		r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "key-1"}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Print(w.Code, " ", w.Header().Get("RateLimit"))
		if ra := w.Header().Get("Retry-After"); ra != "" {
			fmt.Print(" Retry-After: ", ra)
		}
		fmt.Println()
	}
	// Output:
	// 200 daily;r=1;t=21600
	// 200 daily;r=0;t=21600
	// 429 daily;r=0;t=21600 Retry-After: 21600
}

func ExampleLimiter_Take() {
	l, _ := quota.New(quota.NewMemoryStore(), quota.WithClock(fixedNow))
	monthly := quota.Quota{Name: "monthly", Limit: 1000, Period: quota.Month}

	r, err := l.Take(context.Background(), "key-1", monthly, 250)
	if err != nil {
		panic(err) // the store failed
	}
	fmt.Println(r.Allowed, r.Used, r.Remaining, r.Reset.Format(time.DateOnly))
	// Output: true 250 750 2024-04-01
}

func ExampleWithQuotaFunc() {
	plans := map[string]quota.Quota{
		"free": {Name: "free", Limit: 100, Period: quota.Day},
		"pro":  {Name: "pro", Limit: 10_000, Period: quota.Month},
	}
	l, _ := quota.New(quota.NewMemoryStore(), quota.WithClock(fixedNow),
		quota.WithQuotaFunc(func(r *http.Request) (quota.Quota, bool) {
			id, ok := auth.FromContext(r.Context())
			if !ok {
				return quota.Quota{}, false
			}
			q, ok := plans[id.Plan]
			return q, ok
		}))
	h := l.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))

	for _, plan := range []string{"free", "pro"} {
		r := httptest.NewRequest("GET", "/", nil)
		r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "key-" + plan, Plan: plan}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Header().Get("RateLimit-Policy"))
	}
	// Output:
	// free;q=100;w=86400
	// pro;q=10000;w=2678400
}

// A quota whose period never ends is a prepaid balance: each request draws
// it down, and only Grant, Reset and SetRemaining change it otherwise.
func Example_credits() {
	ctx := context.Background()
	l, _ := quota.New(quota.NewMemoryStore(), quota.WithClock(fixedNow))
	credits := quota.Quota{Name: "credits", Period: quota.Forever}

	_, _ = l.SetRemaining(ctx, "key-1", credits, 3) // bought 3 credits
	for range 4 {
		r, _ := l.Take(ctx, "key-1", credits, 1)
		fmt.Println(r.Allowed, r.Remaining)
	}
	r, _ := l.Grant(ctx, "key-1", credits, 10) // topped up
	fmt.Println("after top-up:", r.Remaining)
	// Output:
	// true 2
	// true 1
	// true 0
	// false 0
	// after top-up: 10
}

// API Gateway's offset: the plan starts mid-month with 400 requests
// already counted against the first month.
func ExampleQuota_offset() {
	ctx := context.Background()
	l, _ := quota.New(quota.NewMemoryStore(), quota.WithClock(fixedNow))
	q := quota.Quota{Limit: 1000, Period: quota.Month, Offset: 400, Start: fixedNow()}

	r, _ := l.Usage(ctx, "key-1", q)
	fmt.Println(r.Used, r.Remaining)
	// Output: 400 600
}

func ExamplePeriod_In() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		fmt.Println("no tzdata")
		return
	}
	q := quota.Quota{Limit: 1, Period: quota.Day.In(ny)}
	start, end := q.Window(time.Date(2024, 3, 10, 12, 0, 0, 0, ny)) // clocks go forward at 2:00
	fmt.Println(start, "→", end, "=", end.Sub(start))
	// Output: 2024-03-10 00:00:00 -0500 EST → 2024-03-11 00:00:00 -0400 EDT = 23h0m0s
}

func ExampleParsePeriod() {
	for _, s := range []string{"DAY", "WEEK", "MONTH", "12h", "YEAR"} {
		p, err := quota.ParsePeriod(s)
		fmt.Println(p, err != nil)
	}
	// Output:
	// DAY false
	// WEEK false
	// MONTH false
	// 12h0m0s false
	// invalid true
}
