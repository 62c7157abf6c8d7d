package quota

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

var (
	// ErrQuotaExceeded means a request would go over its quota. The error
	// the middleware hands to an [ErrorHandler] is an [*ExceededError].
	ErrQuotaExceeded = errors.New("quota: quota exceeded")
	// ErrInvalidQuota means a [Quota] or cost is malformed: a configuration
	// mistake, never the caller's.
	ErrInvalidQuota = errors.New("quota: invalid quota")
	// ErrStore wraps a failure of the [Store].
	ErrStore = errors.New("quota: store failed")
)

// ExceededError describes a refused request. It matches [ErrQuotaExceeded].
type ExceededError struct {
	// Result is the state of the quota that refused the request.
	Result Result
	// RetryAfter is the time until the period resets; 0 for a quota whose
	// period never ends.
	RetryAfter time.Duration
}

// Error returns a description naming the quota.
func (e *ExceededError) Error() string {
	return fmt.Sprintf("quota: %s exceeded (%d of %d used)", e.Result.Quota, e.Result.Used, e.Result.Limit)
}

// Unwrap returns [ErrQuotaExceeded].
func (e *ExceededError) Unwrap() error { return ErrQuotaExceeded }

// HTTPStatus returns the status a response to err should carry: 429 for an
// exceeded quota, 500 for an invalid quota (a server misconfiguration) and
// 503 for anything else (the store failed).
func HTTPStatus(err error) int {
	switch {
	case errors.Is(err, ErrQuotaExceeded):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrInvalidQuota):
		return http.StatusInternalServerError
	}
	return http.StatusServiceUnavailable
}

// storeErr wraps a store failure, passing the caller's own ctx error
// through unchanged. A deadline the store set itself (a per-call timeout)
// is a store failure, not the caller's.
func storeErr(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrStore, err)
}
