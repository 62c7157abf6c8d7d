// Package mtls authenticates callers by the client certificate of their
// TLS connection, as Amazon API Gateway's mutual TLS does, and maps the
// certificate to an [auth.Identity] with Method [auth.MethodMTLS].
//
// It imports only the standard library and package auth.
//
// # Trust
//
// By default an [Authenticator] trusts the chains the TLS server verified
// during the handshake: configure the server with [crypto/tls.Config.ClientCAs]
// and [crypto/tls.VerifyClientCertIfGiven] (so requests without a certificate can
// still use another authenticator) or [crypto/tls.RequireAndVerifyClientCert]. A
// certificate the server did not verify is refused. [WithRoots] gives the
// authenticator its own trust store instead, verified per request for
// client authentication; use it when the server only requests certificates
// or when one route trusts fewer CAs than the server.
//
// Validity periods are rechecked against the clock on every request, since
// a kept-alive connection can outlive its certificate.
//
// # Identities
//
// A [Mapping] turns the verified leaf certificate into an identity. The
// default, IDFrom([SubjectDN]), uses the subject DN, which survives
// renewal; IDFrom([Fingerprint]) pins one certificate and IDFrom([URISAN])
// uses a SPIFFE ID. Every identity [IDFrom] builds carries the subject,
// issuer, serial number, expiry, fingerprint and SANs as attributes. A
// custom Mapping can look the certificate up in a directory and refuse
// unknown ones.
//
// # Revocation
//
// [WithRevocationCheck] runs a [RevocationCheck] on every certificate of
// the chain but its root; [RevokedBy] builds one from verified CRLs. A
// check that fails to decide yields 503, not a pass.
//
// # Errors
//
// No client certificate (or no TLS) matches [auth.ErrNoCredentials] and
// lets [auth.AnyOf] try the next authenticator. An untrusted, expired,
// revoked or unmapped certificate is refused with 403 and an [*auth.Error]
// matching [auth.ErrInvalidCredentials] and one of [ErrUntrusted],
// [ErrExpired] or [ErrRevoked]: HTTP defines no WWW-Authenticate scheme for
// client certificates, so a 401 could not carry the challenge it requires.
package mtls
