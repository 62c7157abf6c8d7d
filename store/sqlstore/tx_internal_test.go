package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
)

// stateErr is an error with a SQLSTATE, as pgx reports them.
type stateErr string

func (e stateErr) Error() string    { return "pg error " + string(e) }
func (e stateErr) SQLState() string { return string(e) }

var errConflict = errors.New("test: conflict")

// TestInTxRetriesDeadlocks feeds inTx the errors PostgreSQL reports and
// counts the transactions it runs.
func TestInTxRetriesDeadlocks(t *testing.T) {
	db, err := sql.Open("pgx", testkit.PostgresDSN(t))
	require.NoError(t, err)
	defer db.Close()
	s, err := New(db, Postgres)
	require.NoError(t, err)
	tests := []struct {
		name     string
		errs     []error // returned by successive attempts; nil after
		want     error
		attempts int
	}{
		{"ok", nil, nil, 1},
		{"deadlock then ok", []error{stateErr("40P01"), stateErr("40001")}, nil, 3},
		{"deadlock persists", []error{stateErr("40P01"), stateErr("40P01"), stateErr("40P01")}, errConflict, 3},
		{"unique violation", []error{stateErr("23505")}, errConflict, 1},
		{"conflict from fn", []error{errConflict}, errConflict, 1},
		{"other error", []error{stateErr("42P01")}, stateErr("42P01"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attempts := 0
			err := s.inTx(context.Background(), "test", errConflict, func(context.Context, *sql.Tx) error {
				attempts++
				if attempts <= len(tt.errs) {
					return tt.errs[attempts-1]
				}
				return nil
			})
			assert.Equal(t, tt.attempts, attempts)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
	t.Run("cancelled while pausing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := s.inTx(ctx, "test", errConflict, func(context.Context, *sql.Tx) error { cancel(); return stateErr("40P01") })
		assert.Equal(t, context.Canceled, err)
	})
}
