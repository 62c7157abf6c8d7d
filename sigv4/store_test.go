package sigv4_test

import (
	"testing"

	"github.com/tollgate/tollgate/sigv4"
	"github.com/tollgate/tollgate/sigv4/sigv4test"
)

func TestMemoryStore(t *testing.T) {
	sigv4test.Run(t, func(*testing.T) sigv4.CredentialStore { return sigv4.NewMemoryStore() })
}
