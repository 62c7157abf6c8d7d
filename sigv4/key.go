package sigv4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"math/big"
	"time"

	"github.com/tollgate/tollgate/internal/ttlcache"
)

// keyTTL bounds how long a derived key stays cached; the store is still
// consulted on every request, so this only trades memory for HMACs.
const keyTTL = 15 * time.Minute

// keyID names a derived SigV4 signing key. The secret version is part of
// it so a rotated secret never meets a key derived from the old one.
type keyID struct {
	accessKey, version, date, region, service string
}

// cachedKey is a derived key and the secret it came from: a hit also
// compares the secret, so even a store that forgets to change the
// version cannot make an old secret verify.
type cachedKey struct {
	mac    macKey
	secret string
}

type ecKeyID struct{ accessKey, version string }

type cachedECKey struct {
	pub    *ecdsa.PublicKey
	secret string
}

// keys caches derived signing keys; it is safe for concurrent use.
type keys struct {
	hmac  *ttlcache.Cache[keyID, cachedKey]
	ecdsa *ttlcache.Cache[ecKeyID, cachedECKey]
}

func newKeys(capacity int) keys {
	return keys{
		hmac:  ttlcache.New[keyID, cachedKey](capacity),
		ecdsa: ttlcache.New[ecKeyID, cachedECKey](max(1, capacity/8)),
	}
}

// signingKey returns the SigV4 key for c and the scope of s.
func (k keys) signingKey(c *Credential, s *signature, now time.Time) macKey {
	id := keyID{c.AccessKeyID, c.SecretVersion, s.date, s.region, s.service}
	if e, ok := k.hmac.Get(id, now); ok && e.secret == c.Secret {
		return e.mac
	}
	mk := newMacKey(deriveKey(c.Secret, s.date, s.region, s.service))
	k.hmac.Set(id, cachedKey{mk, c.Secret}, now.Add(keyTTL))
	return mk
}

// publicKey returns the SigV4a verification key derived from c.
func (k keys) publicKey(c *Credential, now time.Time) (*ecdsa.PublicKey, error) {
	id := ecKeyID{c.AccessKeyID, c.SecretVersion}
	if e, ok := k.ecdsa.Get(id, now); ok && e.secret == c.Secret {
		return e.pub, nil
	}
	priv, err := DeriveECDSAKey(c.AccessKeyID, c.Secret)
	if err != nil {
		return nil, err
	}
	k.ecdsa.Set(id, cachedECKey{&priv.PublicKey, c.Secret}, now.Add(keyTTL))
	return &priv.PublicKey, nil
}

// deriveKey computes AWS's kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret,
// date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k[:], region)
	k = hmacSum(k[:], service)
	return hmacSum(k[:], scopeTerm)
}

func hmacSum(key []byte, msg string) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// macKey is an HMAC-SHA256 key with its inner and outer pad blocks
// already hashed: the saved SHA-256 states, so each MAC costs two
// compression calls fewer and no allocation.
type macKey struct{ inner, outer []byte }

func newMacKey(key [sha256.Size]byte) macKey {
	var pad [64]byte
	state := func(x byte) []byte {
		for i := range pad {
			pad[i] = x
			if i < len(key) {
				pad[i] ^= key[i]
			}
		}
		h := sha256.New()
		h.Write(pad[:])
		b, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
		return b
	}
	return macKey{inner: state(0x36), outer: state(0x5c)}
}

// sum appends HMAC-SHA256(key, msg) to buf[:0], using h (a SHA-256) as
// scratch; with a buf of capacity 32 it does not allocate.
func (k *macKey) sum(h hash.Hash, buf, msg []byte) []byte {
	u := h.(encoding.BinaryUnmarshaler)
	_ = u.UnmarshalBinary(k.inner)
	h.Write(msg)
	inner := h.Sum(buf[:0])
	_ = u.UnmarshalBinary(k.outer)
	h.Write(inner)
	return h.Sum(buf[:0])
}

var (
	p256N      = elliptic.P256().Params().N
	p256NMinus = new(big.Int).Sub(p256N, big.NewInt(2))
)

// DeriveECDSAKey derives the SigV4a (AWS4-ECDSA-P256-SHA256) P-256 key
// pair from an access key as AWS does: the NIST SP 800-108 counter-mode
// KDF with HMAC-SHA256 keyed by "AWS4A"+secret, over the label
// "AWS4-ECDSA-P256-SHA256" and the context accessKeyID‖counter, retried
// with the next counter until the result c is at most n−2; the private
// scalar is c+1.
func DeriveECDSAKey(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	for counter := 1; counter <= 254; counter++ {
		m := hmac.New(sha256.New, []byte("AWS4A"+secret))
		m.Write(binary.BigEndian.AppendUint32(nil, 1))
		m.Write([]byte(AlgorithmECDSA))
		m.Write([]byte{0})
		m.Write([]byte(accessKeyID))
		m.Write([]byte{byte(counter)})
		m.Write(binary.BigEndian.AppendUint32(nil, 256))
		c := new(big.Int).SetBytes(m.Sum(nil))
		if c.Cmp(p256NMinus) > 0 {
			continue
		}
		d := c.Add(c, big.NewInt(1)).FillBytes(make([]byte, 32))
		return ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	}
	return nil, errors.New("sigv4: no SigV4a key for this credential")
}
