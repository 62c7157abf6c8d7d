package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

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

// TestWritersOfDifferentKeysDoNotConflict has writers create and rotate
// keys of their own at once: they share index pages and gaps (MySQL locks
// gaps), but none may see a conflict.
func TestWritersOfDifferentKeysDoNotConflict(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ks := newStore(t, newDatabase(t, d)).APIKeys()
			ctx := context.Background()
			var wg sync.WaitGroup
			for w := range 6 {
				wg.Go(func() {
					k := sampleKey()
					for i := range 8 {
						if i > 0 {
							k.Previous = []apikey.PreviousSecret{{Hash: k.Hash, ExpiresAt: k.CreatedAt}}
							k.Hash = apikey.HashKey(fmt.Sprintf("%s-%d-%d", k.ID, w, i))
							k.Version++
						}
						if !assert.NoError(t, ks.Put(ctx, k)) {
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
