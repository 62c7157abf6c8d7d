package redisstore_test

import (
	"testing"

	"github.com/tollgate/tollgate/usage"
	"github.com/tollgate/tollgate/usage/usagetest"
)

func TestUsageStore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		usagetest.Run(t, func(t *testing.T) usage.Store { return newStore(t, c).Usage() })
	})
}
