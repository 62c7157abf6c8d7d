package redisstore_test

import (
	"testing"

	"github.com/tollgate/tollgate/sigv4"
	"github.com/tollgate/tollgate/sigv4/sigv4test"
)

func TestCredentialStore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		c := b.newClient(t)
		sigv4test.Run(t, func(t *testing.T) sigv4.CredentialStore { return newStore(t, c).Credentials() })
	})
}
