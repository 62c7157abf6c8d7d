package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// embedded holds the schema of each dialect as numbered files,
// migrations/<dialect>/NNNN_name.sql, applied in order. A new table (the
// quota, usage or credential stores) is a new file in each dialect's
// folder: applied files are never edited. Statements end with ';' at the
// end of a line (so no procedural bodies), "{p}" stands for the table
// prefix, and whole-line "--" comments are dropped.
//
//go:embed migrations
var embedded embed.FS

// migrationFS is where Migrate reads the files; tests replace it.
var migrationFS fs.FS = embedded

// migration is one schema change.
type migration struct {
	version int64
	name    string
	stmts   []string
}

// Migrate creates or updates the Store's tables. It is idempotent, and
// safe to run from several instances at once: they take turns under a
// PostgreSQL advisory lock, a MySQL named lock (GET_LOCK) or an SQLite
// write transaction (BEGIN IMMEDIATE; give the connection a busy timeout,
// such as modernc.org/sqlite's "_pragma=busy_timeout(5000)", so the
// others wait rather than fail). Applied versions are recorded in the
// table <prefix>schema_migrations.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := s.migrations()
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrap(ctx, "migrate", err)
	}
	defer conn.Close()
	unlock, err := s.lock(ctx, conn)
	if err != nil {
		return wrap(ctx, "migrate: lock", err)
	}
	err = s.migrate(ctx, conn, all)
	if uerr := unlock(err == nil); uerr != nil {
		// The connection may still hold the lock: keep it out of the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = wrap(ctx, "migrate: unlock", uerr)
		}
	}
	return err
}

func (s *Store) migrate(ctx context.Context, conn *sql.Conn, all []migration) error {
	if _, err := conn.ExecContext(ctx, s.query(createMigrationsTable)); err != nil {
		return wrap(ctx, "migrate: create schema_migrations", err)
	}
	done, err := s.applied(ctx, conn)
	if err != nil {
		return err
	}
	for _, m := range all {
		if done[m.version] {
			continue
		}
		if err := s.apply(ctx, conn, m); err != nil {
			return wrap(ctx, fmt.Sprintf("migrate: %04d_%s", m.version, m.name), err)
		}
	}
	return nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS {p}schema_migrations (
	version BIGINT NOT NULL PRIMARY KEY,
	name VARCHAR(255) NOT NULL,
	applied_at BIGINT NOT NULL
)`

func (s *Store) applied(ctx context.Context, conn *sql.Conn) (map[int64]bool, error) {
	versions, err := column[int64](conn.QueryContext(ctx, s.query(`SELECT version FROM {p}schema_migrations`)))
	if err != nil {
		return nil, wrap(ctx, "migrate: read schema_migrations", err)
	}
	done := make(map[int64]bool, len(versions))
	for _, v := range versions {
		done[v] = true
	}
	return done, nil
}

// apply runs one migration and records it. On PostgreSQL that is one
// transaction; on SQLite every pending migration shares the transaction
// that holds the lock; MySQL commits each DDL statement by itself, so its
// migration files use IF NOT EXISTS to be safe to resume.
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	record := s.query(`INSERT INTO {p}schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`)
	now := time.Now().UnixMicro()
	if s.dialect == SQLite { // already inside BEGIN IMMEDIATE
		for _, st := range m.stmts {
			if _, err := conn.ExecContext(ctx, st); err != nil {
				return err
			}
		}
		_, err := conn.ExecContext(ctx, record, m.version, m.name, now)
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, st := range m.stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, record, m.version, m.name, now); err != nil {
		return err
	}
	return tx.Commit()
}

// lock takes the dialect's migration lock on conn and returns its release,
// which for SQLite commits (ok) or rolls back the enclosing transaction.
func (s *Store) lock(ctx context.Context, conn *sql.Conn) (unlock func(ok bool) error, err error) {
	switch s.dialect {
	case Postgres:
		return postgresLock(ctx, conn, s.prefix)
	case MySQL:
		return mysqlLock(ctx, conn, "tollgate_migrate:"+s.prefix)
	}
	return sqliteLock(ctx, conn)
}

// postgresLock takes a session advisory lock keyed by the prefix.
func postgresLock(ctx context.Context, conn *sql.Conn, prefix string) (func(bool) error, error) {
	h := fnv.New64a()
	h.Write([]byte("tollgate migrate " + prefix))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return nil, err
	}
	return func(bool) error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		return err
	}, nil
}

// mysqlLock takes a named lock, waiting a second at a time so that a
// cancelled context stops the wait.
func mysqlLock(ctx context.Context, conn *sql.Conn, name string) (func(bool) error, error) {
	for {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 1)", name).Scan(&got); err != nil {
			return nil, err
		}
		if got.Valid && got.Int64 == 1 {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return func(bool) error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
		return err
	}, nil
}

// sqliteLock opens a write transaction: SQLite has one writer at a time.
func sqliteLock(ctx context.Context, conn *sql.Conn) (func(bool) error, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	return func(ok bool) error {
		end := "ROLLBACK"
		if ok {
			end = "COMMIT"
		}
		_, err := conn.ExecContext(context.WithoutCancel(ctx), end)
		return err
	}, nil
}

// migrations reads the dialect's migration files in version order.
func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", s.dialect.String())
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var all []migration
	for _, e := range entries {
		m, err := s.readMigration(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		all = append(all, m)
	}
	slices.SortFunc(all, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(all); i++ {
		if all[i].version == all[i-1].version {
			return nil, fmt.Errorf("sqlstore: two %s migrations numbered %d", s.dialect, all[i].version)
		}
	}
	return all, nil
}

func (s *Store) readMigration(file string) (migration, error) {
	base := strings.TrimSuffix(path.Base(file), ".sql")
	num, name, ok := strings.Cut(base, "_")
	v, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || v <= 0 {
		return migration{}, fmt.Errorf("sqlstore: migration %s: name is not NNNN_name.sql", file)
	}
	b, err := fs.ReadFile(migrationFS, file)
	if err != nil {
		return migration{}, fmt.Errorf("sqlstore: migration %s: %w", file, err)
	}
	m := migration{version: v, name: name}
	for _, st := range strings.Split(string(b), ";\n") {
		if st = strings.TrimSpace(stripComments(st)); st != "" {
			m.stmts = append(m.stmts, s.query(st))
		}
	}
	return m, nil
}

// stripComments drops whole-line "--" comments.
func stripComments(st string) string {
	lines := strings.Split(st, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "--") })
	return strings.Join(lines, "\n")
}
