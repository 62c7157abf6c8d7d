package sigv4

import (
	"errors"
	"net/http"

	"github.com/tollgate/tollgate/auth"
)

// Sentinel errors. Refusals reach the caller as an [*auth.Error] whose Code
// is AWS's error code and whose Err wraps one of these (and one of auth's
// sentinels), so errors.Is works on the server side.
var (
	// ErrIncompleteSignature: the Authorization header or presigned query
	// is malformed or lacks a required part.
	ErrIncompleteSignature = errors.New("sigv4: incomplete signature")
	// ErrSignatureMismatch: the signature is not the one the request's
	// canonical form and the caller's secret produce.
	ErrSignatureMismatch = errors.New("sigv4: signature does not match")
	// ErrRequestExpired: X-Amz-Date is outside the clock skew window, or a
	// presigned URL has expired or is not yet valid.
	ErrRequestExpired = errors.New("sigv4: request expired")
	// ErrUnknownAccessKey: the access key is unknown or disabled, or the
	// session token does not match it.
	ErrUnknownAccessKey = errors.New("sigv4: invalid access key or session token")
	// ErrScopeNotAllowed: the credential scope names a region or service
	// the verifier does not accept.
	ErrScopeNotAllowed = errors.New("sigv4: credential scope not allowed")
	// ErrPayloadHash: the body does not hash to X-Amz-Content-Sha256, or
	// its value is not one the verifier accepts.
	ErrPayloadHash = errors.New("sigv4: payload hash does not match")
	// ErrBodyTooLarge: the body exceeds the configured limit.
	ErrBodyTooLarge = errors.New("sigv4: request body too large")
	// ErrChunkSignature is returned by the body of a streaming upload
	// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) when a chunk is malformed or its
	// signature does not match. The handler sees it from r.Body.Read; no
	// byte of a bad chunk is ever returned.
	ErrChunkSignature = errors.New("sigv4: bad chunk signature")
)

// AWS error codes, as AWS services put them in error responses.
const (
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeRequestExpired             = "RequestExpired"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeAccessDenied               = "AccessDenied"
	CodeContentSHA256Mismatch      = "XAmzContentSHA256Mismatch"
	CodeEntityTooLarge             = "EntityTooLarge"
	CodeIncompleteBody             = "IncompleteBody"
)

// errNoCredentials is returned for requests that carry no SigV4
// credentials: it matches auth.ErrNoCredentials, so the next authenticator
// may try, and answers as AWS does when it is the last.
var errNoCredentials = &auth.Error{
	Status:      http.StatusForbidden,
	Code:        CodeMissingAuthenticationToken,
	Description: "Missing Authentication Token",
	Err:         auth.ErrNoCredentials,
}

// refusal builds the client-facing error. desc must never hold a secret,
// a computed signature or a canonical request.
func refusal(status int, code, desc string, cause, kind error) error {
	return &auth.Error{Status: status, Code: code, Description: desc, Err: errors.Join(cause, kind)}
}

func incomplete(desc string) error {
	return refusal(http.StatusBadRequest, CodeIncompleteSignature, desc, ErrIncompleteSignature, auth.ErrInvalidCredentials)
}

func mismatch() error {
	return refusal(http.StatusForbidden, CodeSignatureDoesNotMatch,
		"The request signature we calculated does not match the signature you provided.",
		ErrSignatureMismatch, auth.ErrInvalidCredentials)
}

func expired(desc string) error {
	return refusal(http.StatusForbidden, CodeRequestExpired, desc, ErrRequestExpired, auth.ErrInvalidCredentials)
}

func invalidClient() error {
	return refusal(http.StatusForbidden, CodeInvalidClientTokenID,
		"The security token included in the request is invalid.", ErrUnknownAccessKey, auth.ErrInvalidCredentials)
}

func scopeDenied(desc string) error {
	return refusal(http.StatusForbidden, CodeAccessDenied, desc, ErrScopeNotAllowed, auth.ErrForbidden)
}

func payloadMismatch(desc string) error {
	return refusal(http.StatusBadRequest, CodeContentSHA256Mismatch, desc, ErrPayloadHash, auth.ErrInvalidCredentials)
}

func tooLarge() error {
	return refusal(http.StatusRequestEntityTooLarge, CodeEntityTooLarge,
		"Your proposed upload exceeds the maximum allowed size.", ErrBodyTooLarge, auth.ErrInvalidCredentials)
}
