package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
)

// errClass is what a driver error means to a store.
type errClass int

const (
	errOther  errClass = iota
	errUnique          // a unique or primary key constraint refused a row
	errRetry           // a deadlock or serialization failure: the transaction may be retried
)

// classify reads a driver error without importing the driver: pgx's
// *pgconn.PgError has SQLState(), modernc.org/sqlite's *Error has Code(),
// go-sql-driver/mysql's *MySQLError has a Number field and
// mattn/go-sqlite3's Error an ExtendedCode field.
func (s *Store) classify(err error) errClass {
	switch s.dialect {
	case Postgres:
		var e interface{ SQLState() string }
		if errors.As(err, &e) {
			return byCode(e.SQLState(), "23505", "40P01", "40001")
		}
	case MySQL:
		if n, ok := intField(err, "Number"); ok {
			return byCode(n, 1062, 1213, 1213)
		}
	case SQLite:
		var e interface{ Code() int }
		if errors.As(err, &e) {
			return sqliteClass(int64(e.Code()))
		}
		if n, ok := intField(err, "ExtendedCode"); ok {
			return sqliteClass(n)
		}
	}
	return errOther
}

func byCode[T comparable](got, unique, retry1, retry2 T) errClass {
	switch got {
	case unique:
		return errUnique
	case retry1, retry2:
		return errRetry
	}
	return errOther
}

// sqliteClass maps extended result codes: SQLITE_CONSTRAINT_PRIMARYKEY
// and SQLITE_CONSTRAINT_UNIQUE are unique violations. SQLITE_BUSY is not
// retried here: the busy timeout of the connection already waited.
func sqliteClass(code int64) errClass {
	if code == 1555 || code == 2067 {
		return errUnique
	}
	return errOther
}

// intField finds an integer field called name in err or an error it wraps.
func intField(err error, name string) (int64, bool) {
	for ; err != nil; err = errors.Unwrap(err) {
		v := reflect.ValueOf(err)
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		f := v.FieldByName(name)
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return f.Int(), true
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			return int64(f.Uint()), true
		}
	}
	return 0, false
}

// wrap describes a failed operation. The context's error passes through
// unchanged, so callers can tell a deadline from a database failure.
func wrap(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
