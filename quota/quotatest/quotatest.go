package quotatest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/quota"
)

// Run checks the store newStore returns against each clause of the
// [quota.Store] contract, one subtest per clause. newStore is called once
// per subtest and must return an empty store (or one whose counters
// cannot collide with the suite's: each subtest uses fresh key names).
func Run(t *testing.T, newStore func(t *testing.T) quota.Store) {
	t.Helper()
	clauses := []struct {
		name string
		run  func(c *checker, b quota.Bucket)
	}{
		{"MissingCounterReadsInitial", missingReadsInitial},
		{"TakeCountsCost", takeCountsCost},
		{"TakeAdmitsExactlyUpToLimit", takeUpToLimit},
		{"RefusedTakeChangesNothing", refusedChangesNothing},
		{"TakeStartsFromInitial", takeFromInitial},
		{"CostAboveLimitRefused", costAboveLimit},
		{"BucketsAreIndependent", bucketsIndependent},
		{"AddIsUnconditional", addUnconditional},
		{"AddGrantsFurtherTakes", addGrants},
		{"SetReplacesCounter", setReplaces},
		{"NeverEndingBucket", neverEnding},
		{"ConcurrentTakesNeverOverAdmit", concurrentTakes},
		{"ConcurrentAddsAreAtomic", concurrentAdds},
		{"CancelledContextPassesThrough", cancelledContext},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) {
			c.run(&checker{t: t, s: newStore(t)}, freshBucket(t))
		})
	}
}

var seq atomic.Int64

// freshBucket returns a bucket for the current day, with a key no other
// subtest uses, so stores shared between subtests do not interfere.
func freshBucket(t *testing.T) quota.Bucket {
	start := time.Now().UTC().Truncate(24 * time.Hour)
	return quota.Bucket{
		Quota: "quotatest",
		Key:   fmt.Sprintf("%s-%d-%d", t.Name(), time.Now().UnixNano(), seq.Add(1)),
		Start: start.Unix(),
		End:   start.Add(24 * time.Hour).Unix(),
	}
}

// checker runs store calls for one clause, failing it on a store error.
type checker struct {
	t *testing.T
	s quota.Store
}

func (c *checker) check(u quota.Usage, err error) quota.Usage {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("store failed: %v", err)
	}
	return u
}

func (c *checker) take(b quota.Bucket, cost, limit int64) quota.Usage {
	c.t.Helper()
	return c.check(c.s.Take(context.Background(), b, cost, limit))
}

func (c *checker) add(b quota.Bucket, delta int64) quota.Usage {
	c.t.Helper()
	return c.check(c.s.Add(context.Background(), b, delta))
}

func (c *checker) set(b quota.Bucket, used int64) {
	c.t.Helper()
	c.check(quota.Usage{}, c.s.Set(context.Background(), b, used))
}

func (c *checker) wantUsed(b quota.Bucket, used int64) {
	c.t.Helper()
	if got := c.check(c.s.Get(context.Background(), b)); got.Used != used {
		c.t.Fatalf("Get = %d, want %d", got.Used, used)
	}
}

func wantUsage(t *testing.T, got quota.Usage, used int64, admitted bool) {
	t.Helper()
	if got.Used != used || got.Admitted != admitted {
		t.Fatalf("usage = %+v, want {Used:%d Admitted:%t}", got, used, admitted)
	}
}

func missingReadsInitial(c *checker, b quota.Bucket) {
	c.wantUsed(b, 0)
	b.Key += "-offset"
	b.Initial = 7
	c.wantUsed(b, 7)
}

func takeCountsCost(c *checker, b quota.Bucket) {
	wantUsage(c.t, c.take(b, 3, 10), 3, true)
	wantUsage(c.t, c.take(b, 1, 10), 4, true)
	c.wantUsed(b, 4)
}

func takeUpToLimit(c *checker, b quota.Bucket) {
	for i := int64(1); i <= 5; i++ {
		wantUsage(c.t, c.take(b, 1, 5), i, true)
	}
	wantUsage(c.t, c.take(b, 1, 5), 5, false)
}

func refusedChangesNothing(c *checker, b quota.Bucket) {
	wantUsage(c.t, c.take(b, 4, 5), 4, true)
	wantUsage(c.t, c.take(b, 2, 5), 4, false)
	c.wantUsed(b, 4)
	wantUsage(c.t, c.take(b, 1, 5), 5, true)
}

func takeFromInitial(c *checker, b quota.Bucket) {
	b.Initial = 8
	wantUsage(c.t, c.take(b, 2, 10), 10, true)
	wantUsage(c.t, c.take(b, 1, 10), 10, false)
	b.Key += "-over"
	b.Initial = 12
	wantUsage(c.t, c.take(b, 1, 10), 12, false)
}

func costAboveLimit(c *checker, b quota.Bucket) {
	wantUsage(c.t, c.take(b, 11, 10), 0, false)
	wantUsage(c.t, c.take(b, 1, 0), 0, false)
	c.wantUsed(b, 0)
}

func bucketsIndependent(c *checker, b quota.Bucket) {
	wantUsage(c.t, c.take(b, 1, 1), 1, true)
	others := []quota.Bucket{b, b, b, b}
	others[0].Quota += "-other"
	others[1].Key += "-other"
	others[2].Start, others[2].End = b.End, b.End+(b.End-b.Start)
	others[3].End = b.Start + 7*86400 // a week starting the same instant
	for _, o := range others {
		wantUsage(c.t, c.take(o, 1, 1), 1, true)
	}
	wantUsage(c.t, c.take(b, 1, 1), 1, false)
}

func addUnconditional(c *checker, b quota.Bucket) {
	b.Initial = 2
	wantUsage(c.t, c.add(b, 5), 7, false)
	wantUsage(c.t, c.add(b, -10), -3, false)
	c.wantUsed(b, -3)
}

func addGrants(c *checker, b quota.Bucket) {
	wantUsage(c.t, c.take(b, 2, 2), 2, true)
	wantUsage(c.t, c.take(b, 1, 2), 2, false)
	c.add(b, -1)
	wantUsage(c.t, c.take(b, 1, 2), 2, true)
}

func setReplaces(c *checker, b quota.Bucket) {
	b.Initial = 5
	c.set(b, 1) // a missing counter: Initial is ignored
	c.wantUsed(b, 1)
	c.take(b, 1, 10)
	c.set(b, 9)
	wantUsage(c.t, c.take(b, 2, 10), 9, false)
	c.set(b, -4)
	wantUsage(c.t, c.take(b, 14, 10), 10, true)
}

func neverEnding(c *checker, b quota.Bucket) {
	b.Start, b.End, b.Initial = 0, 0, 0
	c.set(b, -3) // a balance of 3
	for i := range 3 {
		wantUsage(c.t, c.take(b, 1, 0), int64(i-2), true)
	}
	wantUsage(c.t, c.take(b, 1, 0), 0, false)
}

func concurrentTakes(c *checker, b quota.Bucket) {
	const workers, each, limit = 16, 40, 250
	var admitted atomic.Int64
	run(c.t, workers, func() error {
		for range each {
			u, err := c.s.Take(context.Background(), b, 1, limit)
			if err != nil {
				return err
			}
			if u.Admitted {
				if u.Used > limit {
					return fmt.Errorf("admitted at used=%d over limit %d", u.Used, limit)
				}
				admitted.Add(1)
			}
		}
		return nil
	})
	if got := admitted.Load(); got != limit {
		c.t.Fatalf("admitted %d of %d takes, want exactly %d", got, workers*each, limit)
	}
	c.wantUsed(b, limit)
}

func concurrentAdds(c *checker, b quota.Bucket) {
	const workers, each = 16, 50
	run(c.t, workers, func() error {
		for range each {
			if _, err := c.s.Add(context.Background(), b, 2); err != nil {
				return err
			}
			if _, err := c.s.Add(context.Background(), b, -1); err != nil {
				return err
			}
		}
		return nil
	})
	c.wantUsed(b, workers*each)
}

func run(t *testing.T, workers int, f func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() { errs <- f() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func cancelledContext(c *checker, b quota.Bucket) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Take": func() error { _, err := c.s.Take(ctx, b, 1, 10); return err },
		"Add":  func() error { _, err := c.s.Add(ctx, b, 1); return err },
		"Get":  func() error { _, err := c.s.Get(ctx, b); return err },
		"Set":  func() error { return c.s.Set(ctx, b, 1) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			c.t.Errorf("%s with a cancelled context: err = %v, want context.Canceled", name, err)
		}
	}
	c.wantUsed(b, 0)
}
