package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/internal/testkit"
)

// TestMigrationFailsWhole checks that a migration that fails part-way
// leaves neither its tables nor its version behind, and that the next
// Migrate applies the fixed file: the way a later schema change (a new
// numbered file) arrives.
func TestMigrationFailsWhole(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	require.NoError(t, err)
	defer db.Close()
	s, err := New(db, SQLite, WithTablePrefix("m_"))
	require.NoError(t, err)
	ctx := context.Background()

	saved := migrationFS
	defer func() { migrationFS = saved }()
	files := fstest.MapFS{
		"migrations/sqlite/0001_first.sql": {Data: []byte("CREATE TABLE {p}first (id INTEGER);\n")},
		"migrations/sqlite/0002_second.sql": {Data: []byte("-- two statements, the second broken\n" +
			"CREATE TABLE {p}second (id INTEGER);\nCREATE TABLE {p}first (id INTEGER);\n")},
	}
	migrationFS = files
	require.Error(t, s.Migrate(ctx))
	assert.Nil(t, versions(t, db), "SQLite applies the pending files in one transaction")
	assert.False(t, tableExists(t, db, "m_second"))

	files["migrations/sqlite/0002_second.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE {p}second (id INTEGER);\n")}
	require.NoError(t, s.Migrate(ctx))
	assert.Equal(t, []int64{1, 2}, versions(t, db))
	assert.True(t, tableExists(t, db, "m_second"))

	files["migrations/sqlite/0003_third.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE {p}third (id INTEGER);\n")}
	require.NoError(t, s.Migrate(ctx))
	assert.Equal(t, []int64{1, 2, 3}, versions(t, db), "a new file is a new version")

	files["migrations/sqlite/0003_again.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	assert.ErrorContains(t, s.Migrate(ctx), "two sqlite migrations numbered 3")
	delete(files, "migrations/sqlite/0003_again.sql")
	files["migrations/sqlite/third.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	assert.ErrorContains(t, s.Migrate(ctx), "NNNN_name.sql")
}

func versions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	if !tableExists(t, db, "m_schema_migrations") {
		return nil
	}
	vs, err := column[int64](db.Query("SELECT version FROM m_schema_migrations ORDER BY version"))
	require.NoError(t, err)
	return vs
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n))
	return n == 1
}

// TestMigrateWaitsForTheLock holds the migration lock on one connection
// and checks that Migrate from another pool waits for it, gives up when
// its context does, and runs once the lock is free.
func TestMigrateWaitsForTheLock(t *testing.T) {
	tests := []struct {
		dialect Dialect
		driver  string
		dsn     func(t *testing.T) string
	}{
		{Postgres, "pgx", func(t *testing.T) string { return testkit.PostgresDSN(t) }},
		{MySQL, "mysql", func(t *testing.T) string { return testkit.MySQLDSN(t) }},
		{SQLite, "sqlite", func(t *testing.T) string {
			return "file:" + filepath.Join(t.TempDir(), "l.db") + "?_pragma=busy_timeout(100)"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dialect.String(), func(t *testing.T) {
			dsn := tt.dsn(t)
			prefix := "l" + strings.ToLower(rand.Text()[:10]) + "_"
			holder, waiter := openStore(t, tt.driver, dsn, tt.dialect, prefix), openStore(t, tt.driver, dsn, tt.dialect, prefix)
			t.Cleanup(func() { dropTables(t, waiter) })
			ctx := context.Background()
			conn, err := holder.db.Conn(ctx)
			require.NoError(t, err)
			defer conn.Close()
			unlock, err := holder.lock(ctx, conn)
			require.NoError(t, err)

			short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			err = waiter.Migrate(short)
			if tt.dialect == SQLite { // the busy timeout ends the wait first
				assert.ErrorContains(t, err, "locked")
			} else {
				assert.Equal(t, context.DeadlineExceeded, err)
			}
			require.NoError(t, unlock(false))
			require.NoError(t, waiter.Migrate(ctx))
			_, err = waiter.APIKeys().Get(ctx, "x")
			assert.ErrorIs(t, err, apikey.ErrNotFound, "the tables exist")
		})
	}
}

func openStore(t *testing.T, driver, dsn string, d Dialect, prefix string) *Store {
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	s, err := New(db, d, WithTablePrefix(prefix))
	require.NoError(t, err)
	return s
}

func dropTables(t *testing.T, s *Store) {
	for _, table := range []string{"api_key_hashes", "api_keys", "schema_migrations"} {
		_, err := s.db.Exec("DROP TABLE IF EXISTS " + s.prefix + table)
		assert.NoError(t, err)
	}
}

// TestDialectsHaveTheSameMigrations keeps the dialects' folders in step:
// the same numbered files, each with statements.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	names := map[Dialect][]string{}
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		s := &Store{dialect: d, prefix: "t_"}
		all, err := s.migrations()
		require.NoError(t, err)
		for _, m := range all {
			assert.NotEmpty(t, m.stmts, "%s %04d_%s", d, m.version, m.name)
			names[d] = append(names[d], fmt.Sprintf("%04d_%s", m.version, m.name))
		}
	}
	assert.Equal(t, names[Postgres], names[MySQL])
	assert.Equal(t, names[Postgres], names[SQLite])
}
