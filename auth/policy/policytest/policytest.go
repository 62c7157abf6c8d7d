// Package policytest checks that a [policy.Store] keeps its contract. Run
// it from a store implementation's tests:
//
//	func TestStore(t *testing.T) {
//		policytest.Run(t, func(t *testing.T) policy.Store { return newStore(t) })
//	}
package policytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/auth/policy"
)

// Run runs one subtest per clause of the [policy.Store] contract against
// stores made by newStore, which must return a new, empty store each time.
func Run(t *testing.T, newStore func(t *testing.T) policy.Store) {
	t.Helper()
	clauses := []struct {
		name string
		run  func(*testing.T, policy.Store)
	}{
		{"NothingAttachedIsEmptyNotError", testEmpty},
		{"PutThenGet", testPutGet},
		{"PutReplaces", testPutReplaces},
		{"IdentitiesAreSeparate", testSeparate},
		{"PutNoneDetaches", testPutNone},
		{"Delete", testDelete},
		{"DeleteUnknownIsNotError", testDeleteUnknown},
		{"PutKeepsNoReferenceToCallerSlice", testPutCopies},
		{"CanceledContext", testCanceled},
		{"Concurrent", testConcurrent},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

// doc returns a policy whose one statement, with the given Sid, allows all.
func doc(t *testing.T, sid string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(fmt.Appendf(nil,
		`{"Version":"2012-10-17","Statement":{"Sid":%q,"Effect":"Allow","Action":"*","Resource":"*"}}`, sid))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// sids returns the Sid that each policy in a grants, in order.
func sids(t *testing.T, s policy.Store, id string) []string {
	t.Helper()
	a, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	return sidsOf(a)
}

// sidsOf identifies policies by the Sid of their one statement: stores
// that persist documents return equal policies, not the same pointers.
func sidsOf(a policy.Attachment) []string {
	var out []string
	for _, p := range a.Policies {
		r := policy.Request{Action: "x:y", Resource: "*"}
		out = append(out, policy.Evaluate(&r, p).Sid)
	}
	return out
}

func put(t *testing.T, s policy.Store, id string, ps ...*policy.Policy) {
	t.Helper()
	if err := s.Put(context.Background(), id, policy.Attachment{Policies: ps}); err != nil {
		t.Fatalf("Put(%q): %v", id, err)
	}
}

func want(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("attached policies = %v, want %v", got, want)
	}
}

func testEmpty(t *testing.T, s policy.Store) { want(t, sids(t, s, "nobody")) }

func testPutGet(t *testing.T, s policy.Store) {
	put(t, s, "alice", doc(t, "a"), doc(t, "b"))
	want(t, sids(t, s, "alice"), "a", "b")
}

func testPutReplaces(t *testing.T, s policy.Store) {
	put(t, s, "alice", doc(t, "a"), doc(t, "b"))
	put(t, s, "alice", doc(t, "c"))
	want(t, sids(t, s, "alice"), "c")
}

func testSeparate(t *testing.T, s policy.Store) {
	put(t, s, "alice", doc(t, "a"))
	put(t, s, "bob", doc(t, "b"))
	want(t, sids(t, s, "alice"), "a")
	want(t, sids(t, s, "bob"), "b")
}

func testPutNone(t *testing.T, s policy.Store) {
	put(t, s, "alice", doc(t, "a"))
	put(t, s, "alice")
	want(t, sids(t, s, "alice"))
}

func testDelete(t *testing.T, s policy.Store) {
	put(t, s, "alice", doc(t, "a"))
	put(t, s, "bob", doc(t, "b"))
	if err := s.Delete(context.Background(), "alice"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want(t, sids(t, s, "alice"))
	want(t, sids(t, s, "bob"), "b")
}

func testDeleteUnknown(t *testing.T, s policy.Store) {
	if err := s.Delete(context.Background(), "nobody"); err != nil {
		t.Fatalf("Delete of an identity with nothing attached: %v", err)
	}
}

func testPutCopies(t *testing.T, s policy.Store) {
	ps := []*policy.Policy{doc(t, "a")}
	put(t, s, "alice", ps...)
	ps[0] = doc(t, "changed")
	want(t, sids(t, s, "alice"), "a")
}

func testCanceled(t *testing.T, s policy.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "alice"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: %v, want context.Canceled", err)
	}
	if err := s.Put(ctx, "alice", policy.Attachment{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a canceled context: %v, want context.Canceled", err)
	}
	if err := s.Delete(ctx, "alice"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a canceled context: %v, want context.Canceled", err)
	}
}

func testConcurrent(t *testing.T, s policy.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		id := fmt.Sprint("id", i)
		p := doc(t, id)
		wg.Go(func() { // no t.Fatal here: it must not run off the test goroutine
			for range 50 {
				if err := s.Put(ctx, id, policy.Attachment{Policies: []*policy.Policy{p}}); err != nil {
					t.Errorf("Put(%q): %v", id, err)
					return
				}
				a, err := s.Get(ctx, id)
				if got := sidsOf(a); err != nil || len(got) != 1 || got[0] != id {
					t.Errorf("Get(%q) = %v, %v after Put", id, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
