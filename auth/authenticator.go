package auth

import (
	"context"
	"errors"
	"net/http"
)

// Authenticator proves who sent a request.
//
// Authenticate returns the caller's identity, or an error: one matching
// [ErrNoCredentials] when the request carries no credentials of its kind,
// [ErrInvalidCredentials] when they are present but wrong, [ErrForbidden]
// when the caller is known but refused, and any other error (a store
// that failed, ctx.Err()) for a failure to decide.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request) (*Identity, error)
}

// AuthenticatorFunc adapts a function to [Authenticator].
type AuthenticatorFunc func(ctx context.Context, r *http.Request) (*Identity, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	return f(ctx, r)
}

// AnyOf returns an authenticator that tries each of as in order. The first
// whose kind of credentials is present decides: its identity or its error
// is the result, and credentials that are present but wrong never fall
// through to the next. With no credentials of any kind the result matches
// [ErrNoCredentials].
func AnyOf(as ...Authenticator) Authenticator {
	if len(as) == 1 {
		return as[0]
	}
	return anyOf(as)
}

type anyOf []Authenticator

func (as anyOf) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	for _, a := range as {
		id, err := a.Authenticate(ctx, r)
		if errors.Is(err, ErrNoCredentials) {
			continue
		}
		return id, err
	}
	return nil, ErrNoCredentials
}

// AllOf returns an authenticator that requires every one of as to succeed,
// as API Gateway REST APIs can demand an API key on top of an authorizer.
// The identity is the first authenticator's; when it names no plan, the
// first plan named by a later one is used (an API key supplies the usage
// plan for a token-authenticated caller). The first error ends the chain.
func AllOf(as ...Authenticator) Authenticator { return allOf(as) }

type allOf []Authenticator

func (as allOf) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	var first *Identity
	for _, a := range as {
		id, err := a.Authenticate(ctx, r)
		if err != nil {
			return nil, err
		}
		switch {
		case first == nil:
			first = id
		case first.Plan == "" && id.Plan != "":
			first = first.Clone()
			first.Plan = id.Plan
		}
	}
	if first == nil {
		return nil, ErrNoCredentials
	}
	return first, nil
}
