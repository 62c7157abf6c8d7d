// Package jwt authenticates requests that carry JSON Web Tokens (RFC 7519),
// such as OAuth 2.0 access tokens (RFC 9068) and OpenID Connect ID tokens,
// the way an Amazon API Gateway JWT authorizer does. It is the only tollgate
// package that imports a JOSE library (lestrrat-go/jwx/v3), so services that
// do not verify tokens never compile one.
//
// # Verifying
//
// A [Verifier] trusts one or more [Issuer]s, each with its own audiences,
// algorithm allow-list and [KeySource]. It implements [auth.Authenticator]:
//
//	v, err := jwt.New([]jwt.Issuer{{Issuer: iss, Audiences: []string{"api://orders"}, Keys: keys}})
//	handler = auth.Middleware(v)(handler)
//
// A token is accepted when its signature verifies with a key of its issuer,
// under an algorithm that issuer allows and that fits the key's type; when
// iss matches exactly and aud names one of the issuer's audiences; when exp
// (required), nbf and iat hold within the leeway ([WithLeeway]); and when it
// is no older than [WithMaxAge], carries every [WithRequiredClaims] and,
// with [WithTokenTypes], has a typ header such as "at+jwt" (RFC 9068).
//
// The token is read from the Authorization header's Bearer credentials;
// [WithCookie] and [WithQueryParam] add a cookie and a query parameter
// (for browser WebSocket handshakes) as fallbacks.
//
// # Algorithms
//
// RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA are allowed by
// default ([DefaultAlgorithms]). HS256/384/512 must be listed explicitly and
// verify only with a secret configured in [Key.Secret]: a key from a JWK Set
// is never used as an HMAC secret, which defeats the HS/RS confusion attack.
// "none" can never be allowed. An ES256 token verifies only with a P-256
// key, and a key whose JWK names an "alg" verifies only that algorithm.
//
// # Keys
//
// [NewJWKS] follows a remote JWK Set: it refreshes in the background, and a
// token naming an unknown key ID fetches the set again at once, at most once
// per [WithMinRefreshInterval] however many made-up key IDs arrive.
// [Discover] finds the set through OpenID Connect discovery. [NewStaticKeys]
// and [ParseJWKS] hold keys the application already has. A [*JWKS] may be
// shared by several issuers and verifiers; Close it when done.
//
// # Identity
//
// The identity's ID is the sub claim (or [WithIdentityClaim]), its plan a
// claim named by [WithPlanClaim], its scopes the space-separated scope claim
// or else scp (an array or a string), and its Attributes hold iss plus
// [WithAttributeClaims]. [RequireScopes] guards a route with API Gateway HTTP
// API semantics: any one of the listed scopes admits the request, otherwise
// 403 with an insufficient_scope challenge.
//
// # The verified-token cache
//
// Clients send the same token for minutes or hours. The verifier remembers
// tokens it has verified, keyed by their SHA-256 digest, and accepts a
// repeat without a signature check. An entry never outlives the token's exp
// (or its maximum age), and a key withdrawn from its JWK Set invalidates
// every entry it verified at once. [WithCacheSize] bounds it.
//
// # Errors
//
// A request without a token yields [auth.ErrNoCredentials], so another
// authenticator may try; a header for another scheme (Basic, AWS SigV4) is
// not a token. A bad token yields an [*auth.Error] with code invalid_token
// and an RFC 6750 challenge whose description is one fixed sentence per
// reason ([ErrExpired], [ErrSignature], ...): nothing of the token or the
// keys reaches the client. A key set that cannot be fetched is a failure to
// decide (503), not a verdict on the token.
package jwt
