// Package quotatest checks that a [quota.Store] keeps its contract, as
// testing/fstest checks a file system.
//
// # Usage
//
// A store implementation calls [Run] from its tests with a constructor
// for empty stores:
//
//	func TestStore(t *testing.T) {
//		quotatest.Run(t, func(t *testing.T) quota.Store { return newStore(t) })
//	}
//
// # Clauses
//
// Each clause of the contract is its own subtest, so a failure names the
// clause broken: missing counters read as the bucket's Initial, Take
// admits exactly up to the limit and a refused Take changes nothing,
// buckets that differ in quota, key or period are independent, Add and
// Set are unconditional, never-ending buckets work, concurrent Takes never
// admit more than the limit (run it with -race), and a cancelled context
// comes back as context.Canceled.
package quotatest
