package sqlstore_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/sqlstore"
)

// migrationFiles is how many migrations each dialect has.
const migrationFiles = 5

func countMigrations(t *testing.T, s *sqlstore.Store) int {
	t.Helper()
	var n int
	err := s.DB().QueryRow("SELECT COUNT(*) FROM " + s.TablePrefix() + "schema_migrations").Scan(&n)
	require.NoError(t, err)
	return n
}

func TestMigrateTwice(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := newStore(t, newDatabase(t, d))
			require.NoError(t, s.Migrate(context.Background()), "second run")
			assert.Equal(t, migrationFiles, countMigrations(t, s))
			require.NoError(t, s.APIKeys().Put(context.Background(), sampleKey()))
		})
	}
}

// TestMigrateConcurrently runs Migrate on a fresh prefix from several
// goroutines over two pools at once, as instances starting together do.
func TestMigrateConcurrently(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			prefix := randomPrefix()
			var stores []*sqlstore.Store
			for range 2 {
				pool := db.open(t)
				s, err := sqlstore.New(pool, d, sqlstore.WithTablePrefix(prefix))
				require.NoError(t, err)
				stores = append(stores, s)
			}
			dropTablesAtCleanup(t, stores[0].DB(), d, prefix)
			errs := make([]error, 6)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { errs[i] = stores[i%2].Migrate(context.Background()) })
			}
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "migration %d", i)
			}
			assert.Equal(t, migrationFiles, countMigrations(t, stores[0]))
			k := sampleKey()
			require.NoError(t, stores[0].APIKeys().Put(context.Background(), k))
			got, err := stores[1].APIKeys().Get(context.Background(), k.ID)
			require.NoError(t, err)
			assert.Equal(t, k.ID, got.ID)
		})
	}
}

func TestMigrateHonoursContext(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/x.db")
	require.NoError(t, err)
	defer db.Close()
	s, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.Migrate(ctx), context.Canceled)
	_, err = s.APIKeys().Get(context.Background(), "x")
	assert.Error(t, err, "no tables were made")
	assert.NotErrorIs(t, err, apikey.ErrNotFound)
}
