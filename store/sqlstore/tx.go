package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// txAttempts bounds how often a write runs that the database aborted as
// a deadlock victim or serialization failure.
const txAttempts = 3

// inTx runs fn in a transaction and commits it. A unique violation
// becomes conflict; a deadlock is retried, and becomes conflict if it
// persists. Errors fn returns that already match conflict pass through.
// A nil conflict leaves both as wrapped errors.
func (s *Store) inTx(ctx context.Context, op string, conflict error, fn func(*sql.Tx) error) error {
	return s.retry(ctx, op, conflict, func() error { return s.tryTx(ctx, fn) })
}

// retry runs fn, a write of its own (one statement or one transaction),
// again when the database aborted it as a deadlock victim; errors are
// treated as inTx describes.
func (s *Store) retry(ctx context.Context, op string, conflict error, fn func() error) error {
	var err error
	for attempt := range txAttempts {
		err = fn()
		if err == nil || (conflict != nil && errors.Is(err, conflict)) {
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
	return wrap(ctx, op, errors.Join(conflict, err))
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
