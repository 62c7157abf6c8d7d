package redisstore_test

import (
	"testing"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/apikey/apikeytest"
)

func TestAPIKeyStore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		apikeytest.Run(t, func(t *testing.T) apikey.Store { return newStore(t, c).APIKeys() })
	})
}
