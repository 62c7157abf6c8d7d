package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/sigv4"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
)

// silentStore returns a Store of dialect d on a server that never answers.
func silentStore(t *testing.T, d sqlstore.Dialect, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	addr := testkit.SilentServer(t)
	driver, dsn := "pgx", "postgres://postgres@"+addr+"/test?sslmode=disable"
	if d == sqlstore.MySQL {
		driver, dsn = "mysql", "root@tcp("+addr+")/test"
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	s, err := sqlstore.New(db, d, opts...)
	require.NoError(t, err)
	return s
}

// storeOps is one operation of each kind a Store has.
var storeOps = []struct {
	name string
	run  func(context.Context, *sqlstore.Store) error
}{
	{"get key", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.APIKeys().Get(ctx, "k")
		return err
	}},
	{"list keys", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.APIKeys().List(ctx, "acme", "", 10)
		return err
	}},
	{"put key", func(ctx context.Context, s *sqlstore.Store) error { return s.APIKeys().Put(ctx, sampleKey()) }},
	{"touch keys", func(ctx context.Context, s *sqlstore.Store) error {
		return s.APIKeys().TouchLastUsed(ctx, map[string]time.Time{"k": time.Now()})
	}},
	{"quota get", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Quotas().Get(ctx, lockedBucket)
		return err
	}},
	{"quota take", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Quotas().Take(ctx, lockedBucket, 1, 10)
		return err
	}},
	{"apply usage", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Usage().Apply(ctx, usage.Batch{ID: "b", Rows: []usage.Row{{Key: "k", Start: time.Unix(0, 0)}}})
		return err
	}},
	{"query usage", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Usage().Query(ctx, usage.Filter{From: time.Unix(0, 0), To: time.Unix(3600, 0)})
		return err
	}},
	{"lookup credential", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.Credentials().Lookup(ctx, "AKID")
		return err
	}},
	{"put credential", func(ctx context.Context, s *sqlstore.Store) error {
		return s.Credentials().Put(ctx, sigv4.Credential{AccessKeyID: "AKID", Secret: "s"})
	}},
	{"rate limit take", func(ctx context.Context, s *sqlstore.Store) error {
		_, err := s.RateLimits().Take(ctx, lockedTake)
		return err
	}},
}

// TestTimeoutOnSilentServer: every operation on a server that accepts
// connections and never answers fails after the Store's timeout with
// ErrTimeout, counted, and a rate-limit take through a
// ratelimit.FallbackStore goes to its local store.
func TestTimeoutOnSilentServer(t *testing.T) {
	const timeout = 100 * time.Millisecond
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			s := silentStore(t, d, sqlstore.WithTimeout(timeout))
			for i, op := range storeOps {
				assertTimesOut(t, s, timeout, op.name, op.run)
				assert.Equal(t, uint64(i+1), s.Stats().Errors, op.name)
			}

			silent := silentStore(t, d, sqlstore.WithTimeout(timeout))
			fb, err := ratelimit.NewFallbackStore(silent.RateLimits(), ratelimit.NewMemoryStore(10))
			require.NoError(t, err)
			r, err := fb.Take(context.Background(), lockedTake)
			require.NoError(t, err)
			assert.True(t, r.Allowed)
			assert.Equal(t, uint64(1), fb.Fallbacks())
			assert.Equal(t, sqlstore.Stats{Errors: 1}, silent.Stats())
		})
	}
}
