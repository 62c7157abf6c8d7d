// Package sigv4 verifies AWS Signature Version 4 and 4a on incoming HTTP
// requests, as AWS services do, so that callers can sign with any AWS SDK
// or the AWS CLI and a Go service can tell who they are.
//
// A [Verifier] reads access keys from a [CredentialStore] (a
// [MemoryStore], or your own, checked with package sigv4test) and
// implements [auth.Authenticator], so it composes with the other
// tollgate authenticators; [Verifier.Middleware] is the shortcut for
// using it alone.
//
// # What is verified
//
// Header-signed requests (Authorization: AWS4-HMAC-SHA256 Credential=…,
// SignedHeaders=…, Signature=…) and presigned URLs (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires of at most 604800 seconds,
// X-Amz-SignedHeaders, X-Amz-Signature), with SigV4 (AWS4-HMAC-SHA256)
// and SigV4a (AWS4-ECDSA-P256-SHA256, whose key is derived from the
// secret as AWS derives it, see [DeriveECDSAKey]). Besides the signature:
//
//   - host must be signed, and x-amz-date for header-signed requests;
//     every signed header must be present;
//   - the credential scope's date must be X-Amz-Date's day;
//   - X-Amz-Date must be within the clock skew window ([WithClockSkew],
//     5 minutes by default) of the verifier's clock ([WithClock]); a
//     presigned URL is good from X-Amz-Date minus the skew until
//     X-Amz-Expires seconds after it;
//   - the scope's region and service must be allowed ([WithRegions],
//     [WithServices]); for SigV4a, the signed region set must match an
//     allowed region;
//   - X-Amz-Security-Token must equal the credential's session token,
//     and be absent for a credential without one.
//
// # Canonical requests
//
// The canonical request is built from the request as it arrived: the
// path and query from r.RequestURI (r.URL only for requests built
// in-process), so a router that rewrites r.URL does not break
// signatures. Header values are trimmed and inner runs of spaces
// collapsed; repeated headers are joined with commas in order.
// Query parameters are decoded ('+' is a space, as in Go's url package
// and the AWS SDKs), re-encoded with upper-case hex and sorted; an
// invalid escape is refused.
//
// Paths follow AWS's two rule sets. For S3 ([WithS3Services]; "s3",
// "s3-object-lambda" and "s3express" by default) the path is signed
// exactly as sent, neither normalised nor encoded again. For every other
// service the path as sent is encoded once more ('%' becomes '%25'),
// which is what the SDKs sign; it is accepted both normalised ("." and
// ".." segments resolved, repeated slashes collapsed, as AWS and the
// other SDKs sign) and not (as the AWS SDK for Go signs: it never
// normalises). Concretely: "/a%2Fb" is one segment and differs from
// "/a/b"; "/a+b" is a literal plus and differs from "/a%2Bb"; "%2f"
// and "%2F" are different bytes and so different signatures, in S3 mode
// too, so a proxy must not re-encode paths; "/a/./b" verifies if it was
// signed as "/a/./b" or as "/a/b".
//
// Two further forms are accepted because they change nothing a signer
// covered: a presigned URL whose X-Amz-Security-Token was appended after
// signing, and an unsigned X-Amz-Security-Token header.
//
// # Payloads
//
// With X-Amz-Content-Sha256 set to a SHA-256, the signature is checked
// first and then the body is read and must hash to it
// (XAmzContentSHA256Mismatch otherwise). Without the header, the body is
// read and hashed to build the canonical request. Either way at most
// [WithMaxBodyBytes] (10 MiB by default) are read, a larger body is
// refused with 413, and the handler reads the same bytes from r.Body.
// UNSIGNED-PAYLOAD (and S3 presigned URLs, which imply it) are accepted
// only with [WithUnsignedPayload].
//
// # Streaming uploads
//
// The aws-chunked encodings S3 clients use for large or unseekable
// uploads are decoded while the body streams to the handler: r.Body
// yields the payload, r.ContentLength becomes X-Amz-Decoded-Content-Length
// (-1 when absent), aws-chunked is removed from Content-Encoding, and
// trailers declared in X-Amz-Trailer (such as x-amz-checksum-crc32) are
// set in r.Trailer once the body has been read to its end.
//
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk's chained signature
//     is verified before any of its bytes is returned;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: likewise, and the
//     trailer signature too;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER (what the AWS SDK for Go sends
//     for an unseekable body over TLS): only with [WithUnsignedPayload].
//
// A bad, malformed, reordered or missing chunk or trailer ends the body
// with an error matching [ErrChunkSignature], which the handler sees from
// Read. Each chunk is buffered, so it may be at most [WithMaxBodyBytes];
// the whole upload is not limited. SigV4a streaming is not supported.
//
// # Credentials and keys
//
// The store is consulted on every request, so a deleted, disabled or
// rotated key stops verifying at once. Derived signing keys are cached
// per access key, secret version, date, region and service, and a cache
// hit also compares the secret, so even a store that keeps the version
// across a rotation cannot make an old secret verify (the AWS SDK's own
// cache checks only the access key ID and the day).
//
// # Errors
//
// Refusals are [*auth.Error] values carrying AWS's error codes
// (IncompleteSignature, XAmzContentSHA256Mismatch and IncompleteBody
// with 400;
// SignatureDoesNotMatch, RequestExpired, InvalidClientTokenId,
// AccessDenied and MissingAuthenticationToken with 403; EntityTooLarge
// with 413), wrapping this package's sentinels and auth's. No secret,
// expected signature or canonical request is ever put in a response. A
// request without SigV4 credentials matches [auth.ErrNoCredentials], so
// the next authenticator in an [auth.AnyOf] chain may try. A store
// failure is returned wrapped (503 from auth's middleware).
package sigv4
