package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
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
// [ErrNoCredentials] and carries the WWW-Authenticate challenges of every
// authenticator that offered one, so a client learns which schemes it may use.
func AnyOf(as ...Authenticator) Authenticator {
	if len(as) == 1 {
		return as[0]
	}
	return anyOf(as)
}

type anyOf []Authenticator

func (as anyOf) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	var buf [4]error // kept on the stack: falling through must not allocate
	missing := buf[:0]
	for _, a := range as {
		id, err := a.Authenticate(ctx, r)
		switch {
		case errors.Is(err, ErrNoCredentials):
			missing = append(missing, err)
			continue
		case err == nil && id == nil:
			return nil, errNoIdentity
		}
		return id, err
	}
	return nil, noCredentials(missing)
}

// noCredentials is the error for a request that carries none of the kinds
// of credentials in errs: ErrNoCredentials with their challenges combined.
func noCredentials(errs []error) error {
	var challenges []string
	for _, err := range errs {
		if e, ok := errors.AsType[*Error](err); ok && e.Challenge != "" && !slices.Contains(challenges, e.Challenge) {
			challenges = append(challenges, e.Challenge)
		}
	}
	if len(challenges) == 0 {
		return ErrNoCredentials
	}
	return &Error{Code: "missing_credentials", Challenge: strings.Join(challenges, ", "), Err: ErrNoCredentials}
}

// AllOf returns an authenticator that requires every one of as to succeed,
// as API Gateway REST APIs can demand an API key on top of an authorizer.
//
// Every authenticator is consulted, in order, until one fails: the first
// error other than a missing credential ends the chain and is the result.
// When none of the kinds of credentials is present, the result matches
// [ErrNoCredentials], so an enclosing [AnyOf] may try something else. When
// some are present and valid but others are missing, the credentials are
// incomplete: the result is an [*Error] with code "incomplete_credentials"
// that matches [ErrInvalidCredentials], not ErrNoCredentials, so a partial
// set of credentials never falls through and [WithOptional] never lets it
// pass anonymously.
//
// The identity is the first authenticator's; when it names no plan, the
// first plan named by a later one is used (an API key supplies the usage
// plan for a token-authenticated caller).
func AllOf(as ...Authenticator) Authenticator { return allOf(as) }

type allOf []Authenticator

func (as allOf) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	var (
		first *Identity
		plan  string
		buf   [4]error
	)
	missing := buf[:0]
	for _, a := range as {
		id, err := a.Authenticate(ctx, r)
		switch {
		case errors.Is(err, ErrNoCredentials):
			missing = append(missing, err)
			continue
		case err != nil:
			return nil, err
		case id == nil:
			return nil, errNoIdentity
		case first == nil:
			first = id
		}
		if plan == "" {
			plan = id.Plan
		}
	}
	switch {
	case first == nil:
		return nil, noCredentials(missing)
	case len(missing) > 0:
		return nil, incomplete(missing)
	case first.Plan == "" && plan != "":
		first = first.Clone()
		first.Plan = plan
	}
	return first, nil
}

// incomplete is the refusal for a request that carries some of the
// credentials [AllOf] demands but not all: wrong, not absent.
func incomplete(missing []error) error {
	e := &Error{
		Code:        "incomplete_credentials",
		Description: "This API requires further credentials.",
		Err:         ErrInvalidCredentials,
	}
	if nc, ok := noCredentials(missing).(*Error); ok {
		e.Challenge = nc.Challenge
	}
	return e
}

// errNoIdentity reports an authenticator that returned neither an identity
// nor an error: a bug, refused as a failure to decide rather than let through.
var errNoIdentity = errors.New("auth: authenticator returned no identity and no error")
