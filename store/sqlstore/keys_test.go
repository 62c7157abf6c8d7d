package sqlstore_test

import (
	"testing"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/apikey/apikeytest"
)

func TestKeyStoreConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			apikeytest.Run(t, func(t *testing.T) apikey.Store { return newStore(t, db).APIKeys() })
		})
	}
}
