// Package ratelimittest checks a [ratelimit.Store] against the contract
// its documentation states, as testing/fstest checks a file system.
//
// # Usage
//
//	func TestStore(t *testing.T) {
//		ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
//			return mystore.New(...) // empty, and honouring TakeRequest.Now
//		})
//	}
//
// Run drives time through TakeRequest.Now, so a store that can use its
// own clock (Redis TIME, a database's now()) must be configured to honour
// Now for the suite.
package ratelimittest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/ratelimit"
)

// epoch is a fixed start well away from any window boundary effects.
var epoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// algorithms lists every algorithm; most clauses hold for each.
var algorithms = []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow}

// Run checks the store returned by newStore against the [ratelimit.Store]
// contract, one subtest per clause; newStore is called once per subtest
// and must return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) ratelimit.Store) {
	t.Helper()
	clauses := []struct {
		name string
		run  func(*testing.T, ratelimit.Store, ratelimit.Limit)
	}{
		{"FreshCounterAdmitsCapacity", freshAdmitsCapacity},
		{"RefusalTakesNothing", refusalTakesNothing},
		{"CostZeroOnlyReports", costZeroOnlyReports},
		{"NegativeCostGivesBack", negativeCostGivesBack},
		{"RetryAfterIsTheTrueWait", retryAfterIsTrueWait},
		{"IdleCounterIsFull", idleCounterIsFull},
		{"CountersAreSeparate", countersAreSeparate},
		{"KeyIsNotRetained", keyIsNotRetained},
		{"LimitChangeApplies", limitChangeApplies},
		{"ConcurrentTakesNeverExceed", concurrentNeverExceed},
		{"SeveralCountersAllOrNothing", allOrNothing},
		{"SeveralCountersReportTheTightest", reportsTightest},
		{"ManyCounters", manyCounters},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) {
			for _, a := range algorithms {
				t.Run(a.String(), func(t *testing.T) {
					l := ratelimit.Every(time.Minute, 10).WithAlgorithm(a).Named("test")
					c.run(t, newStore(t), l)
				})
			}
		})
	}
}

// take calls s.Take and fails the test on error.
func take(t *testing.T, s ratelimit.Store, req ratelimit.TakeRequest) ratelimit.Result {
	t.Helper()
	r, err := s.Take(context.Background(), req)
	if err != nil {
		t.Fatalf("Take(%q, cost %d): %v", req.Key, req.Cost, err)
	}
	return r
}

func req(l ratelimit.Limit, key string, cost int64, now time.Time) ratelimit.TakeRequest {
	return ratelimit.TakeRequest{Key: key, Counters: []ratelimit.Counter{{Bucket: "b", Limit: l}}, Cost: cost, Now: now}
}

func freshAdmitsCapacity(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	for i := range l.Quota {
		r := take(t, s, req(l, "k", 1, epoch))
		if !r.Allowed || r.Remaining != l.Quota-i-1 {
			t.Fatalf("take %d: allowed %v remaining %d, want true %d", i+1, r.Allowed, r.Remaining, l.Quota-i-1)
		}
		if r.Limit != l || r.Reset <= 0 || r.RetryAfter != 0 {
			t.Fatalf("take %d: result %+v: want the limit echoed, Reset > 0, no RetryAfter", i+1, r)
		}
	}
	if r := take(t, s, req(l, "k", 1, epoch)); r.Allowed || r.Remaining != 0 || r.RetryAfter <= 0 {
		t.Fatalf("take beyond capacity: %+v, want refused, 0 remaining, RetryAfter > 0", r)
	}
}

func refusalTakesNothing(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	take(t, s, req(l, "k", 7, epoch))
	if r := take(t, s, req(l, "k", 4, epoch)); r.Allowed || r.Remaining != 3 {
		t.Fatalf("cost 4 with 3 left: %+v, want refused with 3 remaining", r)
	}
	if r := take(t, s, req(l, "k", 3, epoch)); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("cost 3 with 3 left: %+v, want allowed with 0 remaining", r)
	}
}

func costZeroOnlyReports(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	take(t, s, req(l, "k", 4, epoch))
	for range 3 {
		if r := take(t, s, req(l, "k", 0, epoch)); !r.Allowed || r.Remaining != 6 {
			t.Fatalf("cost 0: %+v, want allowed with 6 remaining", r)
		}
	}
}

func negativeCostGivesBack(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	take(t, s, req(l, "k", 10, epoch))
	if r := take(t, s, req(l, "k", -4, epoch)); r.Remaining != 4 {
		t.Fatalf("give back 4: remaining %d, want 4", r.Remaining)
	}
	if r := take(t, s, req(l, "k", -100, epoch)); r.Remaining != 10 {
		t.Fatalf("give back 100: remaining %d, want capped at 10", r.Remaining)
	}
}

func retryAfterIsTrueWait(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	now := epoch.Add(l.Period / 3) // mid-window, where window algorithms differ
	take(t, s, req(l, "k", l.Quota, now))
	r := take(t, s, req(l, "k", 3, now))
	if r.Allowed || r.RetryAfter <= 0 {
		t.Fatalf("over capacity: %+v, want refused with RetryAfter", r)
	}
	early := now.Add(r.RetryAfter - time.Millisecond)
	if r2 := take(t, s, req(l, "k", 3, early)); r2.Allowed {
		t.Fatalf("1ms before RetryAfter %v: allowed, want refused", r.RetryAfter)
	}
	if r2 := take(t, s, req(l, "k", 3, now.Add(r.RetryAfter))); !r2.Allowed {
		t.Fatalf("at RetryAfter %v: refused (%+v), want allowed", r.RetryAfter, r2)
	}
}

func idleCounterIsFull(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	r := take(t, s, req(l, "k", l.Quota, epoch))
	later := epoch.Add(r.Reset)
	if r := take(t, s, req(l, "k", 0, later)); r.Remaining != l.Quota {
		t.Fatalf("after Reset: remaining %d, want %d", r.Remaining, l.Quota)
	}
}

func countersAreSeparate(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	take(t, s, req(l, "a", l.Quota, epoch))
	other := req(l, "a", 1, epoch)
	other.Counters[0].Bucket = "other"
	for _, rq := range []ratelimit.TakeRequest{req(l, "b", 1, epoch), other} {
		if r := take(t, s, rq); !r.Allowed || r.Remaining != l.Quota-1 {
			t.Fatalf("bucket %q key %q: %+v, want a fresh counter", rq.Counters[0].Bucket, rq.Key, r)
		}
	}
}

func keyIsNotRetained(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	buf := []byte("key-1")
	take(t, s, req(l, string(buf), l.Quota, epoch))
	buf[4] = '2'
	if r := take(t, s, req(l, string(buf), 1, epoch)); !r.Allowed {
		t.Fatalf("key-2 after key-1 was exhausted: refused")
	}
	if r := take(t, s, req(l, "key-1", 1, epoch)); r.Allowed {
		t.Fatalf("key-1 exhausted: allowed")
	}
}

// limitChangeApplies checks that the store applies the limit of each
// request, not one it remembers, by replaying the takes on
// [ratelimit.Limit.Apply].
func limitChangeApplies(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	bigger, smaller := l, l
	bigger.Quota, bigger.Burst = 2*l.Quota, 2*l.Quota
	smaller.Quota, smaller.Burst = l.Quota/2, l.Quota/2
	var want ratelimit.State
	for i, step := range []struct {
		l    ratelimit.Limit
		cost int64
	}{{l, l.Quota}, {bigger, 1}, {bigger, l.Quota / 2}, {smaller, 1}, {l, 0}} {
		now := epoch.Add(time.Duration(i) * time.Second)
		var w ratelimit.Result
		want, w = step.l.Apply(want, now, step.cost)
		r := take(t, s, req(step.l, "k", step.cost, now))
		if r.Allowed != w.Allowed || r.Remaining != w.Remaining || r.Limit != step.l {
			t.Fatalf("step %d (quota %d, cost %d): %+v, want %+v", i, step.l.Quota, step.cost, r, w)
		}
	}
}

func concurrentNeverExceed(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	l.Quota = 100
	var allowed atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for range 20 {
				r, err := s.Take(context.Background(), req(l, "hot", 1, epoch))
				if err != nil {
					errs <- fmt.Errorf("take: %w", err)
					return
				}
				if r.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := allowed.Load(); got != l.Quota {
		t.Fatalf("320 concurrent takes of a quota of 100: %d allowed, want exactly 100", got)
	}
}

// pair is a request on two counters of key "k": bucket "wide" with l and
// bucket "narrow" with a quota of 3.
func pair(l ratelimit.Limit, cost int64, now time.Time) ratelimit.TakeRequest {
	narrow := l
	narrow.Name, narrow.Quota, narrow.Burst = "narrow", 3, 3
	return ratelimit.TakeRequest{Key: "k", Cost: cost, Now: now, Counters: []ratelimit.Counter{
		{Bucket: "wide", Limit: l}, {Bucket: "narrow", Limit: narrow},
	}}
}

func allOrNothing(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	take(t, s, pair(l, 3, epoch))
	if r := take(t, s, pair(l, 1, epoch)); r.Allowed || r.Limit.Name != "narrow" {
		t.Fatalf("narrow counter exhausted: %+v, want refused by it", r)
	}
	wide := pair(l, 0, epoch)
	wide.Counters = wide.Counters[:1]
	if r := take(t, s, wide); r.Remaining != l.Quota-3 {
		t.Fatalf("wide counter after a refused pair: remaining %d, want %d (untouched)", r.Remaining, l.Quota-3)
	}
}

func reportsTightest(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	if r := take(t, s, pair(l, 1, epoch)); !r.Allowed || r.Limit.Name != "narrow" || r.Remaining != 2 {
		t.Fatalf("pair: %+v, want the narrow counter with 2 remaining", r)
	}
}

func manyCounters(t *testing.T, s ratelimit.Store, l ratelimit.Limit) {
	rq := ratelimit.TakeRequest{Key: "k", Cost: 1, Now: epoch}
	for i := range 20 {
		c := l
		c.Quota, c.Burst = int64(30-i), int64(30-i)
		rq.Counters = append(rq.Counters, ratelimit.Counter{Bucket: fmt.Sprint("b", i), Limit: c})
	}
	for i := range 11 {
		if r := take(t, s, rq); !r.Allowed || r.Remaining != int64(10-i) || r.Limit.Quota != 11 {
			t.Fatalf("take %d of 20 counters: %+v, want allowed, the quota-11 counter with %d left", i, r, 10-i)
		}
	}
	if r := take(t, s, rq); r.Allowed {
		t.Fatalf("take 12 of 20 counters: allowed, want refused by the quota-11 counter")
	}
	rq.Counters, rq.Cost = rq.Counters[:1], 0
	if r := take(t, s, rq); r.Remaining != 30-11 {
		t.Fatalf("first counter: remaining %d, want %d", r.Remaining, 30-11)
	}
}
