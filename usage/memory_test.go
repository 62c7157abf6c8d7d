package usage_test

import (
	"testing"

	"github.com/tollgate/tollgate/usage"
	"github.com/tollgate/tollgate/usage/usagetest"
)

func TestMemoryStore(t *testing.T) {
	usagetest.Run(t, func(*testing.T) usage.Store { return usage.NewMemoryStore() })
}
