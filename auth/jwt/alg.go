package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
)

// minRSABits is the smallest RSA modulus accepted, as RFC 7518 §3.3 demands.
const minRSABits = 2048

// family groups the algorithms that share a key type.
type family uint8

const (
	famNone family = iota
	famHMAC
	famRSA
	famECDSA
	famEdDSA
)

// algInfo describes one JWS algorithm tollgate verifies.
type algInfo struct {
	family family
	curve  elliptic.Curve // ES*: the curve the key must be on
	minKey int            // HS*: the smallest secret, in bytes
}

// algorithms lists every algorithm that can be allowed. "none" is absent on
// purpose: it can never be configured, so it is always refused.
var algorithms = map[string]algInfo{
	"HS256":   {family: famHMAC, minKey: 32},
	"HS384":   {family: famHMAC, minKey: 48},
	"HS512":   {family: famHMAC, minKey: 64},
	"RS256":   {family: famRSA},
	"RS384":   {family: famRSA},
	"RS512":   {family: famRSA},
	"PS256":   {family: famRSA},
	"PS384":   {family: famRSA},
	"PS512":   {family: famRSA},
	"ES256":   {family: famECDSA, curve: elliptic.P256()},
	"ES384":   {family: famECDSA, curve: elliptic.P384()},
	"ES512":   {family: famECDSA, curve: elliptic.P521()},
	"EdDSA":   {family: famEdDSA},
	"Ed25519": {family: famEdDSA},
}

// DefaultAlgorithms are the algorithms an [Issuer] accepts when its
// Algorithms field is empty: every asymmetric one. HMAC is never a default.
var DefaultAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "Ed25519",
}

// fits reports whether k may verify a token signed with alg. This is the
// check that defeats algorithm confusion: an RSA public key is never used
// as an HMAC secret, an ES256 token never verifies with a P-384 key, and a
// key that names its algorithm verifies only that one.
func (k *key) fits(alg string, info algInfo) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch pub := k.pub.(type) {
	case []byte:
		return info.family == famHMAC && len(pub) >= info.minKey
	case *rsa.PublicKey:
		return info.family == famRSA
	case *ecdsa.PublicKey:
		return info.family == famECDSA && pub.Curve == info.curve
	case ed25519.PublicKey:
		return info.family == famEdDSA
	}
	return false
}
