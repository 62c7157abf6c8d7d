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
//
// Present-but-wrong credentials never fall through: AnyOf moves on only
// past [ErrNoCredentials]. AllOf (an API key and a token, as API Gateway
// REST APIs can demand) reports ErrNoCredentials only when none of its
// kinds is present; a request with some but not all is refused with code
// "incomplete_credentials", which matches [ErrInvalidCredentials], so it
// neither falls through an enclosing AnyOf nor passes [WithOptional]
// anonymously. When nothing is present, the WWW-Authenticate challenges of
// the authenticators that offer one are combined into the 401.
//
// # Custom authorizers
//
// [NewCustomAuthorizer] turns a function of the request into an
// Authenticator with the result caching of API Gateway's REQUEST (Lambda)
// authorizers. Decisions are cached under the SHA-256 of the identity
// sources chosen with [WithIdentitySources] ([HeaderSource],
// [QuerySource], [CookieSource], [PathValueSource], [FuncSource], or
// [ParseIdentitySource] for API Gateway's "$request.header.Authorization"); a
// request missing any of them is refused with [ErrNoCredentials] without
// calling the function. Identities and refusals are cached for
// [DefaultResultTTL] (see [WithResultTTL]; 0 disables caching) in a
// bounded cache; failures to decide are not. Concurrent requests with the
// same source values share one call. [CustomAuthorizer.Flush] forgets
// every decision.
//
// Mutual TLS lives in package auth/mtls.
package auth
