package auth

import (
	"context"
	"slices"
)

// Method names how an identity was proved.
type Method string

// The methods tollgate's authenticators report.
const (
	MethodAPIKey Method = "apikey"
	MethodSigV4  Method = "sigv4"
	MethodJWT    Method = "jwt"
	MethodMTLS   Method = "mtls"
	MethodCustom Method = "custom"
)

// Identity is the caller a request was authenticated as. Rate limits,
// quotas, usage and metrics key off it. An Identity handed out by an
// authenticator may be shared between requests (authenticators cache
// them): treat it as read-only and copy it with [Identity.Clone] to change it.
type Identity struct {
	// ID is stable for the caller: an API key's ID, a JWT subject, an
	// access key ID. It is never a secret.
	ID string
	// Method is how the identity was proved.
	Method Method
	// Plan names the usage plan the caller is on; empty means none.
	Plan string
	// Scopes are the permissions granted, e.g. from a token's scope claim.
	Scopes []string
	// Attributes carry further facts, such as a key's owner or token claims.
	Attributes map[string]string
}

// HasScope reports whether s is among the identity's scopes.
func (id *Identity) HasScope(s string) bool { return slices.Contains(id.Scopes, s) }

// Clone returns a deep copy of id.
func (id *Identity) Clone() *Identity {
	c := *id
	c.Scopes = slices.Clone(id.Scopes)
	if id.Attributes != nil {
		c.Attributes = make(map[string]string, len(id.Attributes))
		for k, v := range id.Attributes {
			c.Attributes[k] = v
		}
	}
	return &c
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity stored in ctx by [NewContext], as the
// authentication middleware does for every request it lets through.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(*Identity)
	return id, ok && id != nil
}
