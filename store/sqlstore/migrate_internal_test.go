package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
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

	files["migrations/sqlite/third.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	assert.ErrorContains(t, s.Migrate(ctx), "NNNN_name.sql")
}

func versions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	if !tableExists(t, db, "m_schema_migrations") {
		return nil
	}
	rows, err := db.Query("SELECT version FROM m_schema_migrations ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		require.NoError(t, rows.Scan(&v))
		vs = append(vs, v)
	}
	require.NoError(t, rows.Err())
	return vs
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n))
	return n == 1
}
