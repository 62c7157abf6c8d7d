package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// Dialect names the SQL database a [Store] talks to.
type Dialect int

// The dialects a [Store] speaks.
const (
	// Postgres is PostgreSQL (tested on 15), for example through
	// github.com/jackc/pgx/v5/stdlib.
	Postgres Dialect = iota + 1
	// MySQL is MariaDB (tested on 10.11) or MySQL 8 (written for, not
	// tested), for example through github.com/go-sql-driver/mysql.
	MySQL
	// SQLite is SQLite, for example through modernc.org/sqlite (tested).
	SQLite
)

// String returns the dialect's name.
func (d Dialect) String() string {
	if s, ok := dialectNames[d]; ok {
		return s
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

var dialectNames = map[Dialect]string{Postgres: "postgres", MySQL: "mysql", SQLite: "sqlite"}

// Store keeps tollgate's state in a SQL database reached through the
// caller's *sql.DB. Its tables are created by [Store.Migrate]; the stores
// for each package are views of it, such as [Store.APIKeys]. It is safe for
// concurrent use.
type Store struct {
	db         *sql.DB
	dialect    Dialect
	prefix     string
	notify     bool
	now        func() time.Time
	timeout    time.Duration
	keys       *KeyStore
	quotas     *QuotaStore
	usage      *UsageStore
	creds      *CredentialStore
	rateLimits *RateLimitStore
	stmts      []*stmt

	errors atomic.Uint64
}

// Option configures a [Store].
type Option func(*Store) error

var validPrefix = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// WithTablePrefix sets the prefix of every table name, so several
// deployments (or test runs) can share one database: lower-case letters,
// digits and '_', starting with a letter, at most 32 characters.
// Default: "tollgate_".
func WithTablePrefix(p string) Option {
	return func(s *Store) error {
		if !validPrefix.MatchString(p) {
			return fmt.Errorf("sqlstore: invalid table prefix %q: want [a-z][a-z0-9_]{0,31}", p)
		}
		s.prefix = p
		return nil
	}
}

// WithNotify turns PostgreSQL notifications of key changes on or off; see
// [KeyStore.Subscribe]. It is ignored by the other dialects. Default: on.
func WithNotify(on bool) Option {
	return func(s *Store) error { s.notify = on; return nil }
}

// WithClock sets the clock that dates the rows written, such as when a
// usage batch was applied (see [UsageStore.ForgetBatches]). Default:
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error {
		if now == nil {
			return errors.New("sqlstore: nil clock")
		}
		s.now = now
		return nil
	}
}

// New returns a Store over db, which must have been opened with a driver
// for dialect. The caller keeps db and closes it after the Store's last use.
// New does not touch the database; call [Store.Migrate] to create or
// update the tables.
func New(db *sql.DB, dialect Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	if _, ok := dialectNames[dialect]; !ok {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", dialect)
	}
	s := &Store{db: db, dialect: dialect, prefix: "tollgate_", notify: true, now: time.Now, timeout: defaultTimeout}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.notify = s.notify && dialect == Postgres
	s.keys = newKeyStore(s)
	s.quotas = newQuotaStore(s)
	s.usage = newUsageStore(s)
	s.creds = newCredentialStore(s)
	s.rateLimits = newRateLimitStore(s)
	return s, nil
}

// DB returns the database the Store was made with.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the Store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// TablePrefix returns the prefix of the Store's table names.
func (s *Store) TablePrefix() string { return s.prefix }

// query prepares a statement written with '?' placeholders and "{p}" for
// the table prefix for the Store's dialect. It runs once per statement,
// at construction, so no request pays for it.
func (s *Store) query(q string) string {
	q = strings.ReplaceAll(q, "{p}", s.prefix)
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// onConflict returns the end of an upsert on the primary key pk that
// sets each of cols to set(col).
func (s *Store) onConflict(pk string, cols []string, set func(col string) string) string {
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = " + set(c)
	}
	if s.dialect == MySQL {
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	}
	return " ON CONFLICT (" + pk + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// excluded names the value an upsert tried to insert into col. MySQL 8
// deprecates VALUES(col) for a row alias, but MariaDB has no row alias,
// and MySQL still accepts VALUES(col).
func (s *Store) excluded(col string) string {
	if s.dialect == MySQL {
		return "VALUES(" + col + ")"
	}
	return "excluded." + col
}

// deleteRows runs a clean-up DELETE and reports the rows it deleted. It
// may take long on a large table, so only the caller's context bounds it.
func (s *Store) deleteRows(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return n, nil
}

// placeholders returns n rows of w placeholders each: "(?, ?), (?, ?)".
func placeholders(n, w int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", w), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
