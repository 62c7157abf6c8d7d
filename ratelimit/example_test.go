package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/ratelimit"
)

// A limiter used without HTTP: 2 per second with a burst of 3.
func ExampleLimiter_Take() {
	l, err := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{ratelimit.PerSecond(2, 3)})
	if err != nil {
		panic(err)
	}
	for range 4 {
		r, _ := l.Take(context.Background(), "job-runner", 1)
		fmt.Println(r.Allowed, r.Remaining)
	}
	// Output:
	// true 2
	// true 1
	// true 0
	// false 0
}

// The middleware behind authentication: 10 per second with a burst of 2
// and 1000 per hour per identity; the third request at once is refused.
func ExampleLimiter_Middleware() {
	l, err := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{
		ratelimit.PerSecond(10, 2),
		ratelimit.PerHour(1000),
	})
	if err != nil {
		panic(err)
	}
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for range 3 {
		r := httptest.NewRequest(http.MethodGet, "/items", nil)
		r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "alice"}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d %s retry-after=%q\n", w.Code, w.Header().Get("RateLimit-Policy"), w.Header().Get("Retry-After"))
	}
	// Output:
	// 200 second;q=2;w=1, hour;q=1000;w=3600 retry-after=""
	// 200 second;q=2;w=1, hour;q=1000;w=3600 retry-after=""
	// 429 second;q=2;w=1, hour;q=1000;w=3600 retry-after="1"
}

// Limits per usage plan, chosen per request from the caller's identity.
func ExampleWithPolicyFunc() {
	free, _ := ratelimit.NewPolicy("free", ratelimit.PerSecond(1, 1), ratelimit.PerDay(100))
	pro, _ := ratelimit.NewPolicy("pro", ratelimit.PerSecond(100, 200))
	plans := map[string]*ratelimit.Policy{"free": free, "pro": pro}

	l, _ := ratelimit.New(ratelimit.NewMemoryStore(0), []ratelimit.Limit{ratelimit.PerSecond(10, 10)},
		ratelimit.WithPolicyFunc(func(r *http.Request) *ratelimit.Policy {
			if id, ok := auth.FromContext(r.Context()); ok {
				return plans[id.Plan] // nil: the limiter's own limits
			}
			return nil
		}))
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "bob", Plan: "free"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Header().Get("RateLimit-Policy"))
	fmt.Println(w.Header().Get("RateLimit"))
	// Output:
	// second;q=1;w=1, day;q=100;w=86400
	// second;r=0;t=1
}

// Limit.Apply is the arithmetic alone, driven here by a hand-made clock.
func ExampleLimit_Apply() {
	limit := ratelimit.Every(time.Minute, 3).WithAlgorithm(ratelimit.SlidingWindow)
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var s ratelimit.State
	var r ratelimit.Result
	for _, at := range []time.Duration{0, 10 * time.Second, 20 * time.Second, 30 * time.Second, 80 * time.Second} {
		s, r = limit.Apply(s, start.Add(at), 1)
		// RetryAfter is exact to the nanosecond; round it for reading.
		fmt.Println(at, r.Allowed, r.Remaining, r.RetryAfter.Round(time.Millisecond))
	}
	// Output:
	// 0s true 2 0s
	// 10s true 1 0s
	// 20s true 0 0s
	// 30s false 0 30s
	// 1m20s true 0 0s
}

// Behind a trusted load balancer, the client is the rightmost address it
// did not add itself; what the client wrote further left is ignored.
func ExampleKeyByIP() {
	key := ratelimit.KeyByIP(netip.MustParsePrefix("10.0.0.0/8"))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.1.2.3:52100" // the load balancer
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.9")
	ip, _ := key(r)
	fmt.Println(ip)
	// Output: 203.0.113.9
}

// IPv6 clients share a limit per /64, the block a client is usually given,
// so that changing addresses within it does not buy a fresh limit.
func ExampleKeyByNetwork() {
	key := ratelimit.KeyByNetwork(32, 64)
	for _, addr := range []string{"[2001:db8:7:1::10]:443", "[2001:db8:7:1:ffff::2]:443", "192.0.2.44:443"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = addr
		k, _ := key(r)
		fmt.Println(k)
	}
	// Output:
	// 2001:db8:7:1::/64
	// 2001:db8:7:1::/64
	// 192.0.2.44
}

// unreachableStore stands for a shared store (Redis, a database) whose
// server is down.
type unreachableStore struct{}

func (unreachableStore) Take(context.Context, ratelimit.TakeRequest) (ratelimit.Result, error) {
	return ratelimit.Result{}, fmt.Errorf("%w: connection refused", ratelimit.ErrStoreUnavailable)
}

// Shared counters with a local fallback: while the shared store fails,
// each instance keeps limiting on its own with a memory store, and
// Fallbacks tells metrics how often that happened.
func ExampleNewFallbackStore() {
	store, err := ratelimit.NewFallbackStore(unreachableStore{}, ratelimit.NewMemoryStore(0))
	if err != nil {
		panic(err)
	}
	l, err := ratelimit.New(store, []ratelimit.Limit{ratelimit.PerMinute(2)})
	if err != nil {
		panic(err)
	}
	for range 3 {
		r, err := l.Take(context.Background(), "key-1", 1)
		fmt.Println(r.Allowed, err)
	}
	fmt.Println("fallbacks:", store.Fallbacks())
	// Output:
	// true <nil>
	// true <nil>
	// false <nil>
	// fallbacks: 3
}

// A caller that reaches the shared store its own way (here a take that
// also decides something else in the same call) keeps the local
// fallback with TakeWith.
func ExampleFallbackStore_TakeWith() {
	store, err := ratelimit.NewFallbackStore(unreachableStore{}, ratelimit.NewMemoryStore(0))
	if err != nil {
		panic(err)
	}
	req := ratelimit.TakeRequest{Key: "key-1", Cost: 1, Now: time.Now(),
		Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(1)}}}
	takeBoth := func(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
		// One call to the shared store for the limits and more.
		return store.Primary().Take(ctx, req)
	}
	for range 2 {
		r, err := store.TakeWith(context.Background(), req, takeBoth)
		fmt.Println(r.Allowed, err)
	}
	fmt.Println("fallbacks:", store.Fallbacks())
	// Output:
	// true <nil>
	// false <nil>
	// fallbacks: 2
}
