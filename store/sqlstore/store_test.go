package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/sigv4"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
)

func sampleKey() *apikey.Key {
	now := time.Now().UTC().Truncate(time.Second)
	id := uuid.NewString()
	return &apikey.Key{
		ID: id, Hash: apikey.HashKey("secret-" + id), Start: "tg_Ab3d", Owner: "acme", Plan: "gold",
		Enabled: true, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

func TestNewValidates(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/x.db")
	require.NoError(t, err)
	defer db.Close()
	tests := []struct {
		name    string
		db      *sql.DB
		dialect sqlstore.Dialect
		opts    []sqlstore.Option
		wantErr bool
	}{
		{name: "defaults", db: db, dialect: sqlstore.SQLite},
		{name: "prefix", db: db, dialect: sqlstore.MySQL, opts: []sqlstore.Option{sqlstore.WithTablePrefix("api_gw_")}},
		{name: "nil db", dialect: sqlstore.Postgres, wantErr: true},
		{name: "no dialect", db: db, wantErr: true},
		{name: "unknown dialect", db: db, dialect: 42, wantErr: true},
		{name: "empty prefix", db: db, dialect: sqlstore.SQLite, opts: []sqlstore.Option{sqlstore.WithTablePrefix("")}, wantErr: true},
		{name: "injection", db: db, dialect: sqlstore.SQLite, opts: []sqlstore.Option{sqlstore.WithTablePrefix("x; DROP TABLE y; --")}, wantErr: true},
		{name: "upper case", db: db, dialect: sqlstore.SQLite, opts: []sqlstore.Option{sqlstore.WithTablePrefix("Api_")}, wantErr: true},
		{name: "too long", db: db, dialect: sqlstore.SQLite, opts: []sqlstore.Option{sqlstore.WithTablePrefix("a234567890123456789012345678901234")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlstore.New(tt.db, tt.dialect, tt.opts...)
			if tt.wantErr {
				assert.Error(t, err)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.dialect, s.Dialect())
		})
	}
}

// TestDeadlinePassesThrough checks that an expired deadline comes back
// as context.DeadlineExceeded itself, not wrapped in a database error.
func TestDeadlinePassesThrough(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ks := newStore(t, newDatabase(t, d)).APIKeys()
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			_, err := ks.Get(ctx, "x")
			assert.Equal(t, context.DeadlineExceeded, err)
			assert.Equal(t, context.DeadlineExceeded, ks.Put(ctx, sampleKey()))
			_, err = ks.List(ctx, "acme", "", 10)
			assert.Equal(t, context.DeadlineExceeded, err)
			assert.Equal(t, context.DeadlineExceeded, ks.TouchLastUsed(ctx, map[string]time.Time{"x": time.Now()}))
		})
	}
}

// TestDeadlinePassesThroughEveryStore checks the quota, usage and
// credential stores the same way.
func TestDeadlinePassesThroughEveryStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := newStore(t, newDatabase(t, d))
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			b := quota.Bucket{Quota: "q", Key: "k", End: 10}
			calls := map[string]func() error{
				"Take":          func() error { _, err := s.Quotas().Take(ctx, b, 1, 5); return err },
				"Set":           func() error { return s.Quotas().Set(ctx, b, 1) },
				"DeleteEnded":   func() error { _, err := s.Quotas().DeleteEnded(ctx, time.Now()); return err },
				"Apply":         func() error { _, err := s.Usage().Apply(ctx, usage.Batch{ID: "b"}); return err },
				"ForgetBatches": func() error { _, err := s.Usage().ForgetBatches(ctx, time.Now()); return err },
				"Lookup":        func() error { _, err := s.Credentials().Lookup(ctx, "AKID"); return err },
				"Put":           func() error { return s.Credentials().Put(ctx, sigv4.Credential{AccessKeyID: "A", Secret: "s"}) },
				"Delete":        func() error { return s.Credentials().Delete(ctx, "A") },
				"RateLimit": func() error {
					_, err := s.RateLimits().Take(ctx, ratelimit.TakeRequest{Key: "k", Cost: 1, Now: time.Now(),
						Counters: []ratelimit.Counter{{Bucket: "m", Limit: ratelimit.PerMinute(3)}}})
					return err
				},
			}
			for name, call := range calls {
				assert.Equal(t, context.DeadlineExceeded, call(), name)
			}
		})
	}
}

func TestTouchLastUsed(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			ks := newStore(t, newDatabase(t, d)).APIKeys()
			ctx := context.Background()
			a, b := sampleKey(), sampleKey()
			b.LastUsedAt = a.CreatedAt.Add(time.Hour)
			require.NoError(t, ks.Put(ctx, a))
			require.NoError(t, ks.Put(ctx, b))
			later := a.CreatedAt.Add(time.Minute)
			require.NoError(t, ks.TouchLastUsed(ctx, map[string]time.Time{
				a.ID: later, b.ID: later, uuid.NewString(): later,
			}))
			got, err := ks.Get(ctx, a.ID)
			require.NoError(t, err)
			assert.True(t, later.Equal(got.LastUsedAt), "a moves forward")
			assert.Equal(t, int64(2), got.Version, "a touch is a write")
			got, err = ks.Get(ctx, b.ID)
			require.NoError(t, err)
			assert.True(t, b.LastUsedAt.Equal(got.LastUsedAt), "b never moves back")
			assert.Equal(t, int64(1), got.Version)
			a.Version = 2
			assert.ErrorIs(t, ks.Put(ctx, a), apikey.ErrConflict, "the touch took version 2")
		})
	}
}

func TestCloseReleasesStatements(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			s := newStore(t, newDatabase(t, d))
			ctx := context.Background()
			k := sampleKey()
			require.NoError(t, s.APIKeys().Put(ctx, k))
			_, err := s.APIKeys().Get(ctx, k.ID)
			require.NoError(t, err)
			require.NoError(t, s.Close())
			require.NoError(t, s.Close(), "twice")
			got, err := s.APIKeys().GetByHash(ctx, k.Hash)
			require.NoError(t, err, "a closed Store prepares again")
			assert.Equal(t, k.ID, got.ID)
			assert.NoError(t, s.Close())
		})
	}
}
