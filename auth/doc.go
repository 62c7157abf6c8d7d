// Package auth is the vocabulary every tollgate stage shares: the
// [Identity] a request was authenticated as, the [Authenticator] interface,
// the errors that separate "no credentials here" from "wrong credentials",
// and the middleware that runs authenticators in order.
//
// It imports only the standard library, so every stage can depend on it
// cheaply; heavier authenticators live in their own packages (apikey,
// sigv4, auth/jwt).
//
// # Identities
//
// An authenticator returns an [*Identity]: a stable ID, the [Method] that
// proved it, the usage plan the caller is on, scopes and attributes. The
// middleware stores it in the request context; later stages and handlers
// read it with [FromContext].
//
// # Errors
//
// An authenticator that finds no credentials of its kind returns an error
// matching [ErrNoCredentials], and the next one is tried. Credentials that
// are present but wrong return [ErrInvalidCredentials] and end the request
// with 401; [ErrForbidden] ends it with 403. Any other error is a failure
// to decide (a store is down) and yields 503. An [*Error] adds a stable
// code, a client-safe description and a WWW-Authenticate challenge.
//
// # Combining
//
// [AnyOf] lets the first authenticator whose credentials are present
// decide; [AllOf] demands all of them. [Middleware] uses AnyOf;
// [NewMiddleware] takes one authenticator and options.
package auth
