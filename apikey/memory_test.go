package apikey_test

import (
	"testing"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/apikey/apikeytest"
)

func TestMemoryStore(t *testing.T) {
	apikeytest.Run(t, func(t *testing.T) apikey.Store { return apikey.NewMemoryStore() })
}
