package sigv4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
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
	key    [sha256.Size]byte
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
func (k keys) signingKey(c *Credential, s *signature, now time.Time) [sha256.Size]byte {
	id := keyID{c.AccessKeyID, c.SecretVersion, s.date, s.region, s.service}
	if e, ok := k.hmac.Get(id, now); ok && e.secret == c.Secret {
		return e.key
	}
	key := deriveKey(c.Secret, s.date, s.region, s.service)
	k.hmac.Set(id, cachedKey{key, c.Secret}, now.Add(keyTTL))
	return key
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

// hmacBlock is HMAC-SHA256 without allocating: buf must hold the message
// after blockSize bytes of room, which it overwrites with the inner pad.
func hmacBlock(key *[sha256.Size]byte, buf []byte) [sha256.Size]byte {
	const blockSize = 64
	for i := range blockSize {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		buf[i] = b ^ 0x36
	}
	inner := sha256.Sum256(buf)
	var outer [blockSize + sha256.Size]byte
	for i := range blockSize {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		outer[i] = b ^ 0x5c
	}
	copy(outer[blockSize:], inner[:])
	return sha256.Sum256(outer[:])
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
