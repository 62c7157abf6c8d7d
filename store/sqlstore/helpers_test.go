package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/store/sqlstore"
)

var dialects = []sqlstore.Dialect{sqlstore.Postgres, sqlstore.MySQL, sqlstore.SQLite}

// database is one test database: how to open pools on it.
type database struct {
	dialect sqlstore.Dialect
	driver  string
	dsn     string
}

// newDatabase finds the server for d (skipping without one; see
// testkit.Require), or makes an SQLite file in a temp dir.
func newDatabase(t testing.TB, d sqlstore.Dialect) database {
	t.Helper()
	switch d {
	case sqlstore.Postgres:
		return database{d, "pgx", testkit.PostgresDSN(t)}
	case sqlstore.MySQL:
		return database{d, "mysql", testkit.MySQLDSN(t)}
	}
	// WAL lets readers run beside the writer; the busy timeout makes
	// writers queue instead of failing with SQLITE_BUSY.
	path := filepath.Join(t.TempDir(), "tollgate.db")
	return database{d, "sqlite", "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"}
}

// open returns a new pool on the database, closed when the test ends.
func (d database) open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open(d.driver, d.dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// randomPrefix returns a table prefix no other test run uses.
func randomPrefix() string { return "t" + strings.ToLower(rand.Text()[:10]) + "_" }

// newStore returns a migrated Store with a random table prefix on a new
// pool, and drops its tables when the test ends.
func newStore(t testing.TB, d database, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	db := d.open(t)
	s, err := sqlstore.New(db, d.dialect, append([]sqlstore.Option{sqlstore.WithTablePrefix(randomPrefix())}, opts...)...)
	require.NoError(t, err)
	dropTablesAtCleanup(t, db, d.dialect, s.TablePrefix())
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// dropTablesAtCleanup drops every table whose name starts with prefix
// when the test ends. SQLite files live in a temp dir and go with it.
func dropTablesAtCleanup(t testing.TB, db *sql.DB, d sqlstore.Dialect, prefix string) {
	var list string
	switch d {
	case sqlstore.Postgres:
		list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND left(tablename, $1) = $2`
	case sqlstore.MySQL:
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND LEFT(table_name, ?) = ?`
	default:
		return
	}
	t.Cleanup(func() {
		ctx := context.Background()
		rows, err := db.QueryContext(ctx, list, len(prefix), prefix)
		require.NoError(t, err)
		var tables []string
		for rows.Next() {
			var name string
			require.NoError(t, rows.Scan(&name))
			tables = append(tables, name)
		}
		require.NoError(t, rows.Err())
		for _, name := range tables {
			_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name)
			require.NoError(t, err)
		}
	})
}
