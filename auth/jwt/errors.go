package jwt

import (
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/auth"
)

// Reasons a token is refused. Every one of them reaches the caller wrapped
// in an [*auth.Error] with code "invalid_token" that also matches
// [auth.ErrInvalidCredentials]; match the reason with [errors.Is].
var (
	// ErrMalformed means the token is no compact JWS with a JSON claim set.
	ErrMalformed = errors.New("jwt: malformed token")
	// ErrAlgorithm means the algorithm is off the issuer's allow-list
	// ("none" always is) or does not fit the key.
	ErrAlgorithm = errors.New("jwt: algorithm not allowed")
	// ErrUnknownKey means no key of the issuer has the token's key ID.
	ErrUnknownKey = errors.New("jwt: unknown signing key")
	// ErrSignature means the signature does not verify.
	ErrSignature = errors.New("jwt: invalid signature")
	// ErrExpired means exp has passed, leeway included.
	ErrExpired = errors.New("jwt: token expired")
	// ErrNotYetValid means nbf or iat lies in the future, leeway included.
	ErrNotYetValid = errors.New("jwt: token not yet valid")
	// ErrTooOld means iat is further back than the maximum age.
	ErrTooOld = errors.New("jwt: token too old")
	// ErrIssuer means iss names no configured issuer.
	ErrIssuer = errors.New("jwt: untrusted issuer")
	// ErrAudience means aud names none of the issuer's audiences.
	ErrAudience = errors.New("jwt: audience not accepted")
	// ErrType means the typ header is not one of [WithTokenTypes].
	ErrType = errors.New("jwt: token type not accepted")
	// ErrMissingClaim means exp, the identity claim, iat (under a maximum
	// age) or a required claim is absent.
	ErrMissingClaim = errors.New("jwt: required claim missing")
)

// ErrInsufficientScope is the cause of [CheckScopes]'s 403 refusal; it
// also matches [auth.ErrForbidden].
var ErrInsufficientScope = errors.New("jwt: insufficient scope")

// descriptions are the client-facing texts for each reason: fixed strings,
// so nothing from the token, the key set or an internal error can leak.
var descriptions = map[error]string{
	ErrMalformed:    "the token is malformed",
	ErrAlgorithm:    "the token's signing algorithm is not accepted",
	ErrUnknownKey:   "the token's signing key is unknown",
	ErrSignature:    "the token's signature is invalid",
	ErrExpired:      "the token has expired",
	ErrNotYetValid:  "the token is not valid yet",
	ErrTooOld:       "the token is too old",
	ErrIssuer:       "the token's issuer is not trusted",
	ErrAudience:     "the token is not meant for this audience",
	ErrMissingClaim: "the token lacks a required claim",
	ErrType:         "the token's type is not accepted",
}

// invalid returns the RFC 6750 refusal for reason, one of the sentinels
// above.
func invalid(reason error) error {
	desc := descriptions[reason]
	return &auth.Error{
		Code:        "invalid_token",
		Description: desc,
		Challenge:   `Bearer error="invalid_token", error_description="` + desc + `"`,
		Err:         fmt.Errorf("%w: %w", reason, auth.ErrInvalidCredentials),
	}
}
