package jwt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Discover fetches the OpenID Connect discovery document of issuer
// (issuer + "/.well-known/openid-configuration"), checks that it names
// issuer exactly, as OpenID Connect Discovery 1.0 §4.3 demands, and returns
// the key set at its jwks_uri, already fetched once. Options as for
// [NewJWKS]; the caller closes the result.
func Discover(ctx context.Context, issuer string, opts ...Option) (*JWKS, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := checkURL(issuer); err != nil {
		return nil, err
	}
	body, err := getDocument(ctx, o.client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%w: discovery document of %s: %w", errFetch, issuer, err)
	}
	if doc.Issuer != issuer {
		return nil, fmt.Errorf("jwt: discovery document of %s names issuer %q", issuer, doc.Issuer)
	}
	s, err := NewJWKS(doc.JWKSURI, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.Refresh(ctx); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}
