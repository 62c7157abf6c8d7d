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

// inTx runs fn in a transaction and commits it, under the Store's
// timeout: fn gets the bounded context. A unique violation becomes
// conflict; a deadlock is retried, and becomes conflict if it persists.
// Errors fn returns that already match conflict (or errDuplicate) pass
// through. A nil conflict leaves both as failures, wrapped and counted.
func (s *Store) inTx(ctx context.Context, op string, conflict error, fn func(context.Context, *sql.Tx) error) error {
	return s.retry(ctx, op, conflict, func(ctx context.Context) error { return s.tryTx(ctx, fn) })
}

// retry runs fn, a write of its own (one statement or one transaction),
// again when the database aborted it as a deadlock victim; errors are
// treated as inTx describes. One bound of the Store's timeout covers all
// attempts; fn gets the bounded context.
func (s *Store) retry(ctx context.Context, op string, conflict error, fn func(context.Context) error) error {
	bctx, cancel := s.bound(ctx)
	defer cancel()
	var err error
	for attempt := range txAttempts {
		err = fn(bctx)
		if err == nil || errors.Is(err, errDuplicate) || (conflict != nil && errors.Is(err, conflict)) {
			return err
		}
		switch s.classify(err) {
		case errUnique:
			if conflict != nil { // a conflict, not a failure: not counted
				return fmt.Errorf("sqlstore: %s: %w", op, errors.Join(conflict, err))
			}
		case errRetry:
			if attempt < txAttempts-1 && !pause(bctx, attempt) {
				return s.fail(ctx, op, bctx.Err())
			}
			continue
		}
		return s.fail(ctx, op, err)
	}
	if conflict != nil { // a conflict, not a failure: not counted
		return wrap(ctx, op, errors.Join(conflict, err))
	}
	return s.fail(ctx, op, err)
}

func (s *Store) tryTx(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
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
