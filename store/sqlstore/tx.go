package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// txAttempts bounds how often inTx runs a transaction that the database
// aborted as a deadlock victim or serialization failure.
const txAttempts = 3

// inTx runs fn in a transaction and commits it. A unique violation
// becomes conflict; a deadlock is retried, and becomes conflict if it
// persists. Errors fn returns that already match conflict pass through.
func (s *Store) inTx(ctx context.Context, op string, conflict error, fn func(*sql.Tx) error) error {
	var err error
	for attempt := range txAttempts {
		err = s.tryTx(ctx, fn)
		if err == nil || errors.Is(err, conflict) {
			return err
		}
		switch s.classify(err) {
		case errUnique:
			return fmt.Errorf("sqlstore: %s: %w", op, errors.Join(conflict, err))
		case errRetry:
			if attempt < txAttempts-1 && !pause(ctx, attempt) {
				return ctx.Err()
			}
			continue
		}
		return wrap(ctx, op, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, errors.Join(conflict, err))
}

func (s *Store) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that matters is fn's
		return err
	}
	return tx.Commit()
}

// pause waits a random few milliseconds, more after each attempt, so the
// transactions that deadlocked do not meet again at once. It reports
// false if ctx ended first.
func pause(ctx context.Context, attempt int) bool {
	t := time.NewTimer(time.Duration(1+rand.IntN(4<<attempt)) * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
