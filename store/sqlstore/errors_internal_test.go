package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
)

// TestClassifyRealErrors makes each database report a unique violation
// and a deadlock, and checks that classify tells them apart without the
// driver's types.
func TestClassifyRealErrors(t *testing.T) {
	tests := []struct {
		dialect        Dialect
		driver         string
		dsn            func(testing.TB) string
		createTable    string
		deadlockDetect bool
	}{
		{Postgres, "pgx", testkit.PostgresDSN, "CREATE TABLE {t} (id INT PRIMARY KEY, n INT)", true},
		{MySQL, "mysql", testkit.MySQLDSN, "CREATE TABLE {t} (id INT PRIMARY KEY, n INT) ENGINE=InnoDB", true},
	}
	for _, tt := range tests {
		t.Run(tt.dialect.String(), func(t *testing.T) {
			db, err := sql.Open(tt.driver, tt.dsn(t))
			require.NoError(t, err)
			defer db.Close()
			s, err := New(db, tt.dialect)
			require.NoError(t, err)
			table := "tclassify_" + strings.ToLower(rand.Text()[:10])
			ctx := context.Background()
			_, err = db.ExecContext(ctx, strings.ReplaceAll(tt.createTable, "{t}", table))
			require.NoError(t, err)
			defer db.ExecContext(ctx, "DROP TABLE "+table) //nolint:errcheck

			_, err = db.ExecContext(ctx, s.query("INSERT INTO "+table+" VALUES (1, 0), (2, 0)"))
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, s.query("INSERT INTO "+table+" VALUES (1, 0)"))
			assert.Equal(t, errUnique, s.classify(err), "%v", err)
			assert.Equal(t, errRetry, s.classify(deadlock(t, s, table)))
			assert.Equal(t, errOther, s.classify(errors.New("other")))
		})
	}
}

// deadlock runs two transactions that lock rows 1 and 2 in opposite
// orders and returns the error of the one the database aborts.
func deadlock(t *testing.T, s *Store, table string) error {
	ctx := context.Background()
	update := s.query("UPDATE " + table + " SET n = n + 1 WHERE id = ?")
	tx1, err := s.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx1.Rollback() //nolint:errcheck
	tx2, err := s.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx2.Rollback() //nolint:errcheck
	_, err = tx1.ExecContext(ctx, update, 1)
	require.NoError(t, err)
	_, err = tx2.ExecContext(ctx, update, 2)
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		_, err := tx1.ExecContext(ctx, update, 2) // waits for tx2
		errc <- err
	}()
	_, err2 := tx2.ExecContext(ctx, update, 1) // closes the cycle
	err1 := <-errc
	if err2 != nil {
		return err2
	}
	require.Error(t, err1, "one of the two must be the deadlock victim")
	return err1
}

type numErr struct{ Number uint16 }

func (e *numErr) Error() string { return "driver error" }

func TestIntField(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int64
		ok   bool
	}{
		{"direct", &numErr{1062}, 1062, true},
		{"wrapped", fmt.Errorf("op: %w", &numErr{1213}), 1213, true},
		{"plain", errors.New("x"), 0, false},
		{"typed nil", (*numErr)(nil), 0, false},
		{"nil", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := intField(tt.err, "Number")
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
