package auth

import (
	"errors"
	"net/http"
)

// Sentinel errors every authenticator speaks in. Match them with [errors.Is].
var (
	// ErrNoCredentials means the request carries no credentials of the
	// authenticator's kind; the next authenticator may try.
	ErrNoCredentials = errors.New("auth: no credentials")
	// ErrInvalidCredentials means credentials are present but wrong,
	// expired or revoked; the request ends with 401.
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	// ErrForbidden means the caller is known but may not do this; the
	// request ends with 403.
	ErrForbidden = errors.New("auth: forbidden")
)

// Error is a refusal described in terms that are safe to show the client.
// Authenticators return it so the middleware can answer precisely; its
// Err carries the cause for errors.Is and errors.As on the server side.
type Error struct {
	// Status is the HTTP status to answer with; 0 means 401, or 403 when
	// Err matches ErrForbidden.
	Status int
	// Code is a stable machine-readable code, e.g. "invalid_api_key",
	// "SignatureDoesNotMatch" or "invalid_token".
	Code string
	// Description is a human-readable explanation; it never holds a secret.
	Description string
	// Challenge, when set, is sent as the WWW-Authenticate header.
	Challenge string
	// Err is the cause; it should wrap one of the sentinels above.
	Err error
}

// Error returns the code and cause.
func (e *Error) Error() string {
	if e.Err == nil {
		return "auth: " + e.Code
	}
	return "auth: " + e.Code + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus returns the status a response to err should carry: 401 for
// missing or invalid credentials, 403 for forbidden, 503 for anything else
// (a store or identity provider that failed).
func HTTPStatus(err error) int {
	if e, ok := errors.AsType[*Error](err); ok && e.Status != 0 {
		return e.Status
	}
	switch {
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrInvalidCredentials):
		return http.StatusUnauthorized
	}
	return http.StatusServiceUnavailable
}
