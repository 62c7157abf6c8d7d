package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/sqlstore"
)

// TestManagersOnTwoPools runs a key's life through two Managers on
// separate pools, as two instances of a service would: what one writes the
// other verifies, and their concurrent updates of one key all land.
func TestManagersOnTwoPools(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			a := newStore(t, db)
			b, err := sqlstore.New(db.open(t), d, sqlstore.WithTablePrefix(a.TablePrefix()))
			require.NoError(t, err)
			noCache := apikey.WithCache(0, 0, 0)
			ma, err := apikey.NewManager(a.APIKeys(), noCache)
			require.NoError(t, err)
			mb, err := apikey.NewManager(b.APIKeys(), noCache)
			require.NoError(t, err)
			keyLife(t, ma, mb)
			concurrentUpdates(t, ma, mb)
		})
	}
}

func keyLife(t *testing.T, ma, mb *apikey.Manager) {
	ctx := context.Background()
	old, k, err := ma.Create(ctx, apikey.Params{Owner: "acme", Plan: "gold", Scopes: []string{"read"}})
	require.NoError(t, err)
	got, err := mb.Verify(ctx, old)
	require.NoError(t, err)
	assert.Equal(t, []string{"read"}, got.Scopes)

	fresh, _, err := mb.Rotate(ctx, k.ID, time.Hour)
	require.NoError(t, err)
	for _, plaintext := range []string{old, fresh} {
		_, err := ma.Verify(ctx, plaintext)
		assert.NoError(t, err, "both secrets verify during the grace period")
	}
	page, err := ma.List(ctx, "acme", "", 10)
	require.NoError(t, err)
	require.Len(t, page.Keys, 1)
	assert.Len(t, page.Keys[0].Previous, 1)

	require.NoError(t, ma.Revoke(ctx, k.ID))
	_, err = mb.Verify(ctx, fresh)
	assert.ErrorIs(t, err, apikey.ErrRevoked)
	require.NoError(t, mb.Delete(ctx, k.ID))
	_, err = ma.Verify(ctx, old)
	assert.ErrorIs(t, err, apikey.ErrUnknown)
}

func concurrentUpdates(t *testing.T, managers ...*apikey.Manager) {
	ctx := context.Background()
	_, k, err := managers[0].Create(ctx, apikey.Params{Owner: "acme", Plan: "gold"})
	require.NoError(t, err)
	const each = 6
	var wg sync.WaitGroup
	for i, m := range managers {
		wg.Go(func() {
			for j := range each {
				_, err := m.Update(ctx, k.ID, apikey.Update{Name: ptr(fmt.Sprintf("m%d-%d", i, j))})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	got, err := managers[1].Get(ctx, k.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1+len(managers)*each), got.Version, "every update landed")
}

func ptr[T any](v T) *T { return &v }
