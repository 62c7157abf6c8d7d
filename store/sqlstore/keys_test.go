package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestManyPreviousSecrets indexes more hashes than one INSERT carries,
// one of them twice.
func TestManyPreviousSecrets(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ks := newStore(t, newDatabase(t, d)).APIKeys()
			ctx := context.Background()
			k := sampleKey()
			for i := range 19 {
				h := apikey.HashKey(fmt.Sprint(k.ID, i%18))
				k.Previous = append(k.Previous, apikey.PreviousSecret{Hash: h, ExpiresAt: k.CreatedAt})
			}
			require.NoError(t, ks.Put(ctx, k))
			for _, h := range k.Hashes() {
				got, err := ks.GetByHash(ctx, h)
				require.NoError(t, err)
				assert.Equal(t, k.ID, got.ID)
				assert.Len(t, got.Previous, 19)
			}
		})
	}
}
