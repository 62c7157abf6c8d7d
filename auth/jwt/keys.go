package jwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// KeySource supplies an issuer's verification keys. It is implemented by
// [*JWKS] (a remote key set, possibly found by [Discover]) and [*StaticKeys];
// it cannot be implemented outside this package.
type KeySource interface {
	// lookup returns the keys a token with key ID kid may be verified
	// with: the one key of that ID, or every key when kid is empty. An
	// unknown kid yields no keys and no error; an error means the keys
	// could not be obtained at all.
	lookup(ctx context.Context, kid string) ([]*key, error)
}

// key is one verification key. A key is shared between the key table that
// holds it and the cached tokens it verified; removing it from its key set
// marks it removed, which invalidates those cache entries.
type key struct {
	kid     string
	alg     string // from the JWK "alg" member or [Key.Algorithm]; "" = any that fits
	pub     any    // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte
	removed atomic.Bool
}

// keyTable is an immutable snapshot of a key set.
type keyTable struct {
	byID map[string]*key
	all  []*key
	anon []*key // the keys without an ID
}

// lookup returns the key named kid, or else the keys without an ID (a key
// configured without one verifies tokens that name any); an empty kid
// gets every key.
func (t *keyTable) lookup(kid string) []*key {
	if kid == "" {
		return t.all
	}
	if k, ok := t.byID[kid]; ok {
		return []*key{k}
	}
	return t.anon
}

// newKeyTable indexes keys; a duplicate key ID is an error.
func newKeyTable(keys []*key) (*keyTable, error) {
	t := &keyTable{byID: make(map[string]*key, len(keys)), all: keys}
	for _, k := range keys {
		if k.kid == "" {
			t.anon = append(t.anon, k)
			continue
		}
		if _, dup := t.byID[k.kid]; dup {
			return nil, fmt.Errorf("jwt: duplicate key ID %q", k.kid)
		}
		t.byID[k.kid] = k
	}
	return t, nil
}

// Key is a verification key held by the application.
type Key struct {
	// ID is the key ID a token names in its "kid" header. A token without
	// one is tried against every key.
	ID string
	// Algorithm, when set, is the one algorithm this key verifies.
	Algorithm string
	// Public is an *rsa.PublicKey (at least 2048 bits), an
	// *ecdsa.PublicKey or an ed25519.PublicKey. Private keys are accepted
	// and only their public half is used.
	Public crypto.PublicKey
	// Secret is an HMAC secret for HS256/384/512 (at least 32 bytes); the
	// only way an HS* token is ever accepted. Set Public or Secret, not both.
	Secret []byte
}

// StaticKeys is a fixed [KeySource]. It is safe for concurrent use.
type StaticKeys struct{ t *keyTable }

func (s *StaticKeys) lookup(_ context.Context, kid string) ([]*key, error) {
	return s.t.lookup(kid), nil
}

// NewStaticKeys returns a key source holding keys.
func NewStaticKeys(keys ...Key) (*StaticKeys, error) {
	ks := make([]*key, 0, len(keys))
	for _, k := range keys {
		pk, err := k.internal()
		if err != nil {
			return nil, err
		}
		ks = append(ks, pk)
	}
	t, err := newKeyTable(ks)
	if err != nil {
		return nil, err
	}
	return &StaticKeys{t: t}, nil
}

// ParseJWKS returns a key source holding the public keys of a JWK Set
// document (RFC 7517). Symmetric keys are ignored, as in a fetched [JWKS].
func ParseJWKS(data []byte) (*StaticKeys, error) {
	t, err := parseKeySet(data, nil)
	if err != nil {
		return nil, err
	}
	return &StaticKeys{t: t}, nil
}

func (k Key) internal() (*key, error) {
	if k.Algorithm != "" {
		if _, ok := algorithms[k.Algorithm]; !ok {
			return nil, fmt.Errorf("jwt: key %q: unsupported algorithm %q", k.ID, k.Algorithm)
		}
	}
	switch {
	case k.Public != nil && k.Secret != nil:
		return nil, fmt.Errorf("jwt: key %q: set Public or Secret, not both", k.ID)
	case k.Secret != nil:
		if len(k.Secret) < 32 {
			return nil, fmt.Errorf("jwt: key %q: HMAC secret shorter than 32 bytes", k.ID)
		}
		return &key{kid: k.ID, alg: k.Algorithm, pub: append([]byte(nil), k.Secret...)}, nil
	}
	pub, err := publicOf(k.Public)
	if err != nil {
		return nil, fmt.Errorf("jwt: key %q: %w", k.ID, err)
	}
	return &key{kid: k.ID, alg: k.Algorithm, pub: pub}, nil
}

// errKeyType marks a key that can never verify a token here.
var errKeyType = errors.New("unsupported key type")

// publicOf returns the public half of a raw key, refusing what cannot be
// used for verification.
func publicOf(raw any) (any, error) {
	if s, ok := raw.(crypto.Signer); ok {
		raw = s.Public()
	}
	switch pub := raw.(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key shorter than %d bits", minRSABits)
		}
		return pub, nil
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return pub, nil
	}
	return nil, fmt.Errorf("%w %T", errKeyType, raw)
}

// parseKeySet converts a JWK Set document into a key table. Keys that
// cannot sign (use other than "sig"), symmetric keys, and keys of types
// tollgate cannot verify with are skipped, not errors: one exotic key must
// not take an issuer's whole key set down. A key equal to one in prev (same
// ID, same material) is carried over, so tokens cached against it survive
// the refresh.
func parseKeySet(data []byte, prev *keyTable) (*keyTable, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("jwt: parse JWK set: %w", err)
	}
	keys := make([]*key, 0, set.Len())
	for i := range set.Len() {
		jk, _ := set.Key(i)
		if k := fromJWK(jk); k != nil {
			keys = append(keys, carryOver(k, prev))
		}
	}
	return newKeyTable(keys)
}

func fromJWK(jk jwk.Key) *key {
	if use, ok := jk.KeyUsage(); ok && use != "sig" {
		return nil
	}
	var raw any
	if err := jwk.Export(jk, &raw); err != nil {
		return nil
	}
	pub, err := publicOf(raw)
	if err != nil {
		return nil
	}
	k := &key{pub: pub}
	k.kid, _ = jk.KeyID()
	if a, ok := jk.Algorithm(); ok {
		if _, known := algorithms[a.String()]; !known {
			return nil
		}
		k.alg = a.String()
	}
	return k
}

func carryOver(k *key, prev *keyTable) *key {
	if prev == nil || k.kid == "" {
		return k
	}
	old, ok := prev.byID[k.kid]
	if ok && old.alg == k.alg && sameKey(old.pub, k.pub) {
		return old
	}
	return k
}

func sameKey(a, b any) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
