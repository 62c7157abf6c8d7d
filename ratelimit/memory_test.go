package ratelimit_test

import (
	"testing"

	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/ratelimit/ratelimittest"
)

func TestMemoryStoreConformance(t *testing.T) {
	ratelimittest.Run(t, func(*testing.T) ratelimit.Store { return ratelimit.NewMemoryStore(0) })
}
