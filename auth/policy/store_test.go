package policy_test

import (
	"testing"

	"github.com/tollgate/tollgate/auth/policy"
	"github.com/tollgate/tollgate/auth/policy/policytest"
)

func TestMemoryStore(t *testing.T) {
	policytest.Run(t, func(*testing.T) policy.Store { return policy.NewMemoryStore() })
}

func TestMemoryStoreZeroValue(t *testing.T) {
	policytest.Run(t, func(*testing.T) policy.Store { return new(policy.MemoryStore) })
}
