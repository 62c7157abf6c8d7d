// Package usagetest checks that a [usage.Store] keeps the contract the
// metering and reports rely on. Store implementations call [Run] from
// their tests, as the memory store does:
//
//	func TestStore(t *testing.T) {
//		usagetest.Run(t, func(t *testing.T) usage.Store { return usage.NewMemoryStore() })
//	}
//
// Each clause of the contract is a subtest, so a failure names the clause
// broken. newStore must return an empty store for each call.
//
// # Clauses
//
// Apply then Query returns every field; rows of one bucket add; a batch ID
// applied before is a no-op reported as Duplicate; an empty batch is fine;
// Query filters by key and by the half-open range [From, To); finding
// nothing is not an error; concurrent batches each count once; a canceled
// context's error passes through and leaves the batch unapplied.
package usagetest
